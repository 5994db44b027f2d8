using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace Serverless.Bench.Tabular;

/// <summary>One end-to-end batch-scoring run through the runner: wall time from the POST to the completed status, and what the orchestration reported.</summary>
public sealed record BatchRun(int ChunkRows, int MaxParallelism, double Seconds, long RowsOut, int Chunks)
{
    public double RowsPerSecond => RowsOut / Seconds;
}

/// <summary>
/// Batch scoring end to end: the CSV uploaded to Azurite, <c>POST orchestrations/batch-scoring</c> on the runner,
/// waited on through the status route's <c>wait</c> (the route answers when the instance ends, as a pipeline would ask it; rows out
/// checked against rows in), alternating with the raw in-process
/// limit (<see cref="RawBatchScoring"/>) on the same model and bytes so that both see the same machine.
/// </summary>
public static class BatchScoringPhase
{
    /// <summary>A data container the app lets requests name by default (Storage:DataContainers).</summary>
    public const string InputContainer = "data";

    public static string InputBlob(int rows) => $"bench/batch-{rows}.csv";

    public static async Task<IReadOnlyList<BatchRun>> RunOrchestrationsAsync(HttpClient client, BlobServiceClient blobs, byte[] csv, int rows,
        (int ChunkRows, int MaxParallelism) config, int repeats, string tag)
    {
        var container = blobs.GetBlobContainerClient(InputContainer);
        await container.CreateIfNotExistsAsync();
        var input = InputBlob(rows);
        var blob = container.GetBlobClient(input);
        if (!(await blob.ExistsAsync()).Value)
        {
            await blob.UploadAsync(BinaryData.FromBytes(csv));
        }

        var runs = new List<BatchRun>();
        for (var i = 0; i < repeats; i++)
        {
            var body = $$"""
                {"input":"{{InputContainer}}/{{input}}","model":"{{TabularBenchData.Model}}","output":"scores/bench/{{tag}}-{{config.ChunkRows}}-{{config.MaxParallelism}}-{{i}}",
                 "id_column":"{{TabularBenchData.IdColumn}}","chunk_rows":{{config.ChunkRows}},"max_parallelism":{{config.MaxParallelism}}}
                """;
            var started = Stopwatch.GetTimestamp();
            using var start = await client.PostAsync("orchestrations/batch-scoring", new StringContent(body, Encoding.UTF8, "application/json"));
            if (start.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"batch scoring start answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync()}");
            }

            var id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var status = await WaitAsync(client, id);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var output = status.GetProperty("output");
            var rowsOut = output.GetProperty("rows_out").GetInt64();
            if (rowsOut != rows || output.GetProperty("rows_in").GetInt64() != rows)
            {
                throw new InvalidOperationException($"batch scoring wrote {rowsOut} of {rows} rows: {status}");
            }

            runs.Add(new BatchRun(config.ChunkRows, config.MaxParallelism, seconds, rowsOut, output.GetProperty("chunks").GetInt32()));
        }

        return runs;
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, string instanceId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonElement>($"orchestrations/{instanceId}?wait=60");
            var runtime = status.GetProperty("runtime_status").GetString();
            if (runtime == "Completed")
            {
                return status;
            }

            if (runtime is "Failed" or "Terminated" || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"batch scoring {instanceId} ended {runtime}: {status}");
            }
        }
    }
}
