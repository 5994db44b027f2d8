using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.TestModels;

namespace Serverless.Bench.Training;

/// <summary>
/// Sweep wall time for a fixed grid through the runner on Azurite, trials run by the built-in trainer as child
/// processes: from the POST to the completed status, trials per minute, and per trial the trainer's own training
/// time next to the trial's wall time (process start, data loading, ONNX export, polling).
/// </summary>
public static class SweepBenchmark
{
    public const int Rows = 3_000;
    public const int Repeats = 2;

    public const string Grid = """
        [{"name":"lightgbm","grid":{"num_leaves":[8,16,32],"learning_rate":[0.05,0.1]}},
         {"name":"fasttree","grid":{"num_trees":[50]}},
         {"name":"lbfgs"},{"name":"sdca"}]
        """;

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var runner = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString);
        using var client = new HttpClient { BaseAddress = runner.ApiBase, Timeout = TimeSpan.FromMinutes(2) };
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("training");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("churn.csv").UploadAsync(BinaryData.FromString(ReferenceDatasets.ChurnCsv(Rows, 3)), overwrite: true);

        var page = new StringBuilder();
        var runs = new List<(double Seconds, int Trials, List<(string Id, string Algorithm, double Train, double Wall)> PerTrial, double Auc)>();
        for (var i = 0; i < Repeats; i++)
        {
            var body = $$"""
                {"dataset":"training/churn.csv","target":"churned","task":"binary","exclude_columns":["customer_id"],
                 "algorithms":{{Grid}},"metric":"auc","max_parallel_trials":{{Environment.ProcessorCount}},"model_name":"bench-churn","seed":7}
                """;
            var started = Stopwatch.GetTimestamp();
            using var start = await client.PostAsync("orchestrations/training-sweeps", new StringContent(body, Encoding.UTF8, "application/json"));
            if (start.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"sweep start answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync()}");
            }

            var id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            JsonElement status;
            while (true)
            {
                status = await client.GetFromJsonAsync<JsonElement>($"orchestrations/{id}");
                var runtime = status.GetProperty("runtime_status").GetString();
                if (runtime == "Completed")
                {
                    break;
                }

                if (runtime is "Failed" or "Terminated")
                {
                    throw new InvalidOperationException($"sweep {id} ended {runtime}: {status}");
                }

                await Task.Delay(200);
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var tracked = await client.GetFromJsonAsync<JsonElement>($"sweeps/{id}");
            var trials = tracked.GetProperty("trials").EnumerateArray().Select(t => (
                Id: t.GetProperty("trial_id").GetString()!,
                Algorithm: t.GetProperty("algorithm").GetString()!,
                Train: t.GetProperty("train_seconds").GetDouble(),
                Wall: (t.GetProperty("ended_utc").GetDateTimeOffset() - t.GetProperty("started_utc").GetDateTimeOffset()).TotalSeconds)).ToList();
            runs.Add((seconds, trials.Count, trials, status.GetProperty("output").GetProperty("best_value").GetDouble()));
            Progress.Write($"sweep {i + 1}: {trials.Count} trials in {seconds:F1} s = {trials.Count / seconds * 60:F1} trials/min, best AUC {runs[^1].Auc:F4}");
        }

        var median = runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
        page.AppendLine("# Training sweep benchmark").AppendLine();
        page.AppendLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version} · runner in the bench process on Azurite (in memory), " +
                        $"trials as child processes of the built-in trainer, max_parallel_trials {Environment.ProcessorCount}, poll interval 1 s (the runner's default; growing 1.5× per poll).");
        page.AppendLine().AppendLine($"Dataset: {Rows:N0} generated churn rows (3 numeric, 1 categorical, 1 noise column), 20% validation. Grid: {Grid.ReplaceLineEndings(" ")}").AppendLine();
        page.AppendLine("| run | trials | wall s | trials/min | best AUC |").AppendLine("|---:|---:|---:|---:|---:|");
        for (var i = 0; i < runs.Count; i++)
        {
            page.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {runs[i].Trials} | {runs[i].Seconds:F1} | {runs[i].Trials / runs[i].Seconds * 60:F1} | {runs[i].Auc:F4} |");
        }

        page.AppendLine().AppendLine("Per trial (median run): training inside the trainer vs the trial's wall time from start to recorded end.").AppendLine();
        page.AppendLine("| trial | algorithm | train s | trial wall s |").AppendLine("|---|---|---:|---:|");
        foreach (var trial in median.PerTrial)
        {
            page.AppendLine(CultureInfo.InvariantCulture, $"| {trial.Id} | {trial.Algorithm} | {trial.Train:F2} | {trial.Wall:F1} |");
        }

        return page.ToString();
    }
}
