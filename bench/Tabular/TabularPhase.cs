using System.Diagnostics;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Serving;

namespace Serverless.Bench.Tabular;

/// <summary>
/// The tabular figures in one run: batch scoring end to end through the runner's orchestration against the raw
/// in-process limit on the same model and CSV bytes (alternating, medians; also the raw job reading and writing
/// Azurite, to separate storage from orchestration), then the records API against OIP infer on the same model
/// and row over HTTP.
/// </summary>
public static class TabularPhase
{
    public const int Repeats = 5;

    /// <summary>The sizes measured and the (chunk_rows, max_parallelism) tried at each; the target is judged at 100k rows.</summary>
    public static readonly (int Rows, (int ChunkRows, int MaxParallelism)[] Configs)[] Sizes =
    [
        (100_000, [(25_000, 4), (50_000, 2)]),
        (1_000_000, [(100_000, 4)]),
    ];

    public static readonly int[] Concurrencies = [1, 16];

    public static async Task<TabularReport> RunAsync(string repositoryRoot)
    {
        var report = new TabularReport(Environment.ProcessorCount);
        Progress.Write("starting Azurite (in memory, free ports)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var runner = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString);
        using var client = new HttpClient { BaseAddress = runner.ApiBase, Timeout = TimeSpan.FromMinutes(5) };
        await TabularRunnerSetup.RegisterAsync(client);
        Progress.Write($"runner on {runner.ApiBase}; {TabularBenchData.Model} registered with its manifest");

        using var session = CreateSession();
        using var raw = new RawBatchScoring(session, TabularBenchData.Features);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var container = blobs.GetBlobContainerClient(BatchScoringPhase.InputContainer);

        Progress.Write("warm-up: one small orchestration and one raw pass...");
        await BatchScoringPhase.RunOrchestrationsAsync(client, blobs, TabularBenchData.Csv(5_000), 5_000, (1_000, 4), 1, "warmup");
        raw.Score(TabularBenchData.Csv(5_000), report.Cores);

        foreach (var (rows, configs) in Sizes)
        {
            Progress.Write($"{rows} rows: generating CSV...");
            var csv = TabularBenchData.Csv(rows);
            var size = new TabularReport.Size(rows, csv.Length);
            report.Sizes.Add(size);
            foreach (var config in configs)
            {
                for (var i = 0; i < Repeats; i++)
                {
                    size.Raw.Add(TimeRaw(rows, () => raw.Score(csv, report.Cores)));
                    var run = (await BatchScoringPhase.RunOrchestrationsAsync(client, blobs, csv, rows, config, 1, "run"))[0];
                    size.Orchestrations.Add(run);
                    size.RawViaStorage.Add(await TimeRawAsync(rows,
                        () => RawBlobScoring.ScoreAsync(raw, container, BatchScoringPhase.InputBlob(rows), report.Cores, "bench/raw-output")));
                    Progress.Write($"{rows} rows, chunk_rows {config.ChunkRows}, max_parallelism {config.MaxParallelism}: {run.Seconds:F2} s = {run.RowsPerSecond:F0} rows/s " +
                                   $"({run.Chunks} chunks); raw {size.Raw[^1]:F0} rows/s in memory, {size.RawViaStorage[^1]:F0} rows/s via Azurite");
                }
            }

            for (var i = 0; i < Repeats; i++)
            {
                size.RawSingleThread.Add(TimeRaw(rows, () => raw.Score(csv, 1)));
            }

            var batches = raw.Parse(csv, 2048);
            for (var i = 0; i < Repeats; i++)
            {
                size.RunOnly.Add(TimeRaw(rows, () => raw.RunOnly(batches, 2048, report.Cores)));
            }
        }

        await MeasureRecordsAsync(runner, client, report);
        return report;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double TimeRaw(int expected, Func<long> score)
    {
        var started = Stopwatch.GetTimestamp();
        var rows = score();
        return rows == expected
            ? rows / Stopwatch.GetElapsedTime(started).TotalSeconds
            : throw new InvalidOperationException($"raw scoring wrote {rows} of {expected} rows");
    }

    private static async Task<double> TimeRawAsync(int expected, Func<Task<long>> score)
    {
        var started = Stopwatch.GetTimestamp();
        var rows = await score();
        return rows == expected
            ? rows / Stopwatch.GetElapsedTime(started).TotalSeconds
            : throw new InvalidOperationException($"raw scoring wrote {rows} of {expected} rows");
    }

    private static async Task MeasureRecordsAsync(RunnerUnderTest runner, HttpClient client, TabularReport report)
    {
        var row = Enumerable.Range(0, TabularBenchData.Features).Select(i => (float)Math.Round(Math.Sin(i + 1), 4)).ToArray();
        var predictUri = new Uri(runner.ApiBase, $"models/{TabularBenchData.Model}/predict");
        var inferUri = runner.InferUri(TabularBenchData.Model);
        var predictBody = TabularBenchData.PredictBody(row);
        var inferBody = TabularBenchData.InferBody(row);
        var predictExpected = await TabularRunnerSetup.ExpectedAsync(client, predictUri, predictBody);
        var inferExpected = await TabularRunnerSetup.ExpectedAsync(client, inferUri, inferBody);
        Progress.Write($"records API answers {Encoding.UTF8.GetString(predictExpected)}");

        using var http = LoadGenerator.CreateClient(Concurrencies.Max());
        foreach (var concurrency in Concurrencies)
        {
            var results = await LoadGenerator.RunInterleavedAsync(
            [
                new LoadTarget("OIP infer", http, inferUri, inferBody, inferExpected),
                new LoadTarget("records predict", http, predictUri, predictBody, predictExpected),
            ], concurrency, HttpPhase.Load);
            foreach (var result in results)
            {
                Progress.Write(result.ToString());
            }

            report.Http.Add((concurrency, results[0], results[1]));
        }
    }

    /// <summary>A session as serving builds it (core's options: 1 intra-op thread, all graph optimisations).</summary>
    private static InferenceSession CreateSession()
    {
        using var options = new SessionOptionsFactory(Microsoft.Extensions.Options.Options.Create(new ServingOptions())).Create();
        return new InferenceSession(TabularBenchData.Onnx, options);
    }
}
