using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Tabular;

namespace Serverless.Bench.Monitoring;

/// <summary>
/// Monitor run time over a window of 1M logged rows × 20 features. The rows are logged by the real pipeline
/// (request-path hook, buffer, writer building compressed blocks), once into memory and once into Azurite. From
/// memory: the blocks decoded into columns, then one monitor evaluation (drift, quality, service health) over them.
/// Through storage: partition queries of the window from Azurite, block decoding and the same evaluation. Medians of
/// <see cref="Repeats"/>. The run keeps the default <see cref="MonitoringOptions"/> bounds (numeric features sampled
/// to <see cref="MonitoringOptions.MaxSampleRows"/> values), so the live-memory figure is the bounded one.
/// </summary>
public static class MonitorBenchmark
{
    public const int Rows = 1_000_000;
    public const int BaselineRows = 100_000;
    public const int Repeats = 3;

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        var baseline = MonitorData.Baseline(BaselineRows);
        var options = new MonitoringOptions();
        Progress.Write($"preparing {Rows / MonitorData.RowsPerRequest:N0} requests of {MonitorData.RowsPerRequest} rows × 20 features...");
        var random = new Random(3);
        var requests = Enumerable.Range(0, Rows / MonitorData.RowsPerRequest).Select(_ => MonitorData.Request(random)).ToList();

        var memorySink = new MemorySink();
        var (logged, from, to) = await LogAsync(requests, memorySink, "into memory");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var decodeStarted = Stopwatch.GetTimestamp();
        var blocks = memorySink.Blocks.SelectMany(b => InferenceLogBlockFormat.ReadColumns(b.Entity)).ToList();
        var decode = Stopwatch.GetElapsedTime(decodeStarted).TotalSeconds;
        var recordsMb = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / 1e6;
        var recordsStarted = Stopwatch.GetTimestamp();
        var recordCount = memorySink.Blocks.Take(memorySink.Blocks.Count / 10).Sum(b => InferenceLogBlockFormat.ReadRecords(b.Entity).Count);
        var toRecords = Stopwatch.GetElapsedTime(recordsStarted).TotalSeconds * Rows / Math.Max(1, recordCount);
        var bytes = memorySink.Blocks.Sum(b => b.Entity.Sum(p => p.Value is byte[] part ? part.Length : 0));
        Progress.Write($"{memorySink.Blocks.Count:N0} blocks, {bytes / 1e6:F1} MB compressed, decoded into columns in {decode:F2} s, into records {toRecords:F2} s (extrapolated)");
        var memory = new List<double>();
        MonitoringReport? report = null;
        for (var i = 0; i < Repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            report = Evaluate(blocks, baseline, options, from, to);
            memory.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            Progress.Write($"from memory: {memory[^1]:F2} s ({report.Drift!.DriftedCount} of 20 features drifted)");
        }

        var blockCount = memorySink.Blocks.Count;
        blocks.Clear();
        memorySink.Blocks.Clear();
        var (write, read, peakMb) = await ThroughStorageAsync(repositoryRoot, requests, baseline, options);

        var md = new StringBuilder("# Monitoring benchmark\n\n");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version}. {Rows:N0} logged rows of 15 numeric and 5 categorical features " +
            $"(the last 5 numeric ones shifted by 0.5 σ) in requests of {MonitorData.RowsPerRequest} rows, logged by the real pipeline; baseline of {BaselineRows:N0} reference rows, " +
            $"so Wasserstein and Jensen–Shannon are chosen. One monitor run = drift for 20 features, data quality, service health (no feedback). Medians of {Repeats}.");
        md.AppendLine().AppendLine("| path | rows | seconds (runs) | rows/s |").AppendLine("|---|---:|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| monitor run from memory (blocks already decoded into columns) | {Rows:N0} | {Median(memory):F2} ({Runs(memory)}) | {Rows / Median(memory):N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| monitor run through storage, as the timer runs it: blocks streamed from Azurite, decoded into columns (the shards' blocks concurrently) and judged column by column | {Rows:N0} | {Median(read):F2} ({Runs(read)}) | {Rows / Median(read):N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| logging the rows, writer to memory (serialise, compress) | {Rows:N0} | {logged:F2} | {Rows / logged:N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| logging the rows, writer to Azurite | {Rows:N0} | {write:F2} | {Rows / write:N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| decoding the blocks into columns, one thread | {Rows:N0} | {decode:F2} | {Rows / decode:N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| decoding the blocks into record views (other readers), one thread, from a tenth | {Rows:N0} | {toRecords:F2} | {Rows / toRecords:N0} |");
        md.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Through storage the run never holds the window's records: it keeps at most {peakMb:F0} MB alive (full collections every 100,000 records in an " +
            $"extra untimed run), whatever the window's size: per numeric feature a sample of at most {options.MaxSampleRows:N0} values (Monitoring:MaxSampleRows), " +
            $"per categorical feature at most {options.MaxCategories:N0} new categories, and the blocks in flight. Holding the decoded columns instead (the from-memory row) takes {recordsMb:F0} MB.");
        md.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Stored as {bytes / 1e6:F1} MB in {blockCount:N0} compressed blocks of format {InferenceLogBlockFormat.FormatName} ({(double)bytes / Rows:F0} bytes per row with its 20 features, prediction and scores).");
        md.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Drifted features found: {report!.Drift!.DriftedCount} of 20 (expected the 5 shifted ones): {string.Join(", ", report.Drift.Features.Where(f => f.Drifted).Select(f => f.Name))}. " +
            $"The numeric features were tested on a sample of {report.Drift.Features.Max(f => f.CurrentSample) ?? 0:N0} of {report.Drift.Features.Max(f => f.NCurrent):N0} values each.");
        return md.ToString();
    }

    private static MonitoringReport Evaluate(List<InferenceLogColumns> blocks, DatasetBaseline baseline, MonitoringOptions options, DateTimeOffset from, DateTimeOffset to)
    {
        var window = new WindowAccumulator(baseline, null, new Dictionary<(string, int), FeedbackRecord>());
        foreach (var block in blocks)
        {
            window.Add(block, block.Selected);
        }

        return window.Build("bench", MonitorData.Model, MonitorData.Version, from, to, to, options);
    }

    /// <summary>Logs every request through the hook, buffer and writer into <paramref name="sink"/>; seconds from the first request to the last block written.</summary>
    private static async Task<(double Seconds, DateTimeOffset From, DateTimeOffset To)> LogAsync(
        List<(FeatureBatch Batch, TabularPrediction[] Predictions)> requests, IInferenceLogSink sink, string where)
    {
        var logOptions = Options.Create(new InferenceLogOptions { BufferCapacity = Rows });
        using var buffer = new InferenceLogBuffer(logOptions);
        var logger = new InferenceLogger(logOptions, buffer, TimeProvider.System);
        using var writer = new InferenceLogWriter(logOptions, buffer, sink, TimeProvider.System, NullLogger<InferenceLogWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        Progress.Write($"logging {Rows:N0} rows {where}...");
        var from = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        foreach (var (batch, predictions) in requests)
        {
            var capture = logger.Begin(InferenceLogSource.Predict, MonitorData.Model, null, null);
            capture.EnsureRequestId();
            capture.RecordTabular(MonitorData.ModelVersion, batch, predictions);
            logger.Complete(capture);
        }

        await writer.StopAsync(CancellationToken.None);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Progress.Write($"logged in {seconds:F1} s; counters {buffer.Counters}");
        if (buffer.Counters.Written != Rows)
        {
            throw new InvalidOperationException($"the inference log wrote {buffer.Counters.Written} of {Rows} rows: {buffer.Counters}");
        }

        return (seconds, from, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    private static async Task<(double Write, List<double> Read, double PeakMb)> ThroughStorageAsync(string repositoryRoot,
        List<(FeatureBatch Batch, TabularPrediction[] Predictions)> requests, DatasetBaseline baseline, MonitoringOptions options)
    {
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        var service = new TableServiceClient(azurite.ConnectionString);
        var (write, from, to) = await LogAsync(requests, new TableInferenceLogSink(service), "into Azurite");
        requests.Clear();

        var reader = new InferenceLogReader(service, Options.Create(new InferenceLogOptions()));
        var reads = new List<double>();
        for (var i = 0; i < Repeats; i++)
        {
            var begun = Stopwatch.GetTimestamp();
            var window = new WindowAccumulator(baseline, null, new Dictionary<(string, int), FeedbackRecord>());
            await foreach (var block in reader.ReadBlocksAsync(MonitorData.Model, from, to, CancellationToken.None))
            {
                window.Add(block, block.Selected);
            }

            var report = window.Build("bench", MonitorData.Model, MonitorData.Version, from, to, to, options);
            reads.Add(Stopwatch.GetElapsedTime(begun).TotalSeconds);
            Progress.Write($"through storage: {reads[^1]:F2} s for {report.Rows:N0} rows");
            if (report.Rows != Rows)
            {
                throw new InvalidOperationException($"the monitor read {report.Rows} of {Rows} rows");
            }
        }

        return (write, reads, await LiveMemoryPeakAsync(reader, baseline, from, to) / 1e6);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Runs(List<double> values) => string.Join(", ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));

    /// <summary>Keeps the blocks the writer hands over.</summary>
    private sealed class MemorySink : IInferenceLogSink
    {
        public List<InferenceLogBlock> Blocks { get; } = [];

        public Task WriteAsync(InferenceLogBlock block, CancellationToken cancellationToken)
        {
            lock (Blocks)
            {
                Blocks.Add(block);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// An untimed extra run that measures what the streaming run keeps alive: a full collection every 100,000 records
    /// and after the report is built, the largest live heap seen.
    /// </summary>
    private static async Task<long> LiveMemoryPeakAsync(InferenceLogReader reader, DatasetBaseline baseline, DateTimeOffset from, DateTimeOffset to)
    {
        var baselineBytes = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var window = new WindowAccumulator(baseline, null, new Dictionary<(string, int), FeedbackRecord>());
        var count = 0;
        await foreach (var block in reader.ReadBlocksAsync(MonitorData.Model, from, to, CancellationToken.None))
        {
            window.Add(block, block.Selected);
            var before = count;
            count += block.Selected.Length;
            if (count / 100_000 != before / 100_000)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baselineBytes);
            }
        }

        var report = window.Build("bench", MonitorData.Model, MonitorData.Version, from, to, to, new MonitoringOptions());
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baselineBytes);
        GC.KeepAlive(report);
        GC.KeepAlive(window);
        Progress.Write($"streaming run keeps at most {peak / 1e6:F0} MB alive");
        return peak;
    }
}
