using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Bench.Monitoring;

/// <summary>
/// Monitor run time over a window of logged rows × 20 features: from memory (the records already read; the drift,
/// quality and service computations alone) at 1M rows, and through storage (the inference log in Azurite: partition
/// queries of the window, then the same computations) at <see cref="StorageRows"/> rows, since Azurite keeps its
/// tables in one Node process's memory. Medians of <see cref="Repeats"/>.
/// </summary>
public static class MonitorBenchmark
{
    public const int MemoryRows = 1_000_000;
    public const int StorageRows = 200_000;
    public const int BaselineRows = 100_000;
    public const int Repeats = 3;

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        var now = DateTimeOffset.UtcNow;
        var baseline = MonitorData.Baseline(BaselineRows);
        var options = new MonitoringOptions();
        var feedback = new Dictionary<(string RequestId, int Row), FeedbackRecord>();

        Progress.Write($"generating {MemoryRows:N0} logged rows × 20 features...");
        var random = new Random(2);
        var records = new List<InferenceLogRecord>(MemoryRows);
        for (var i = 0; i < MemoryRows; i++)
        {
            records.Add(MonitorData.Record(i, now.AddSeconds(-i % 3600), MonitorData.FeaturesJson(random)));
        }

        var memory = new List<double>();
        MonitoringReport? report = null;
        for (var i = 0; i < Repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            report = VersionMonitor.Evaluate("bench", MonitorData.Model, MonitorData.Version, now.AddHours(-1), now, now, records, baseline, null, feedback, options);
            memory.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            Progress.Write($"from memory: {memory[^1]:F2} s ({report.Drift!.DriftedCount} of 20 features drifted)");
        }

        records.Clear();
        var (write, read) = await ThroughStorageAsync(repositoryRoot, baseline, options, now);

        var md = new StringBuilder("# Monitoring benchmark\n\n");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version}. Logged rows of 15 numeric and 5 categorical features " +
            $"(the last 5 numeric ones shifted by 0.5 σ), baseline of {BaselineRows:N0} reference rows, so Wasserstein and Jensen–Shannon are chosen. " +
            $"One run = drift for 20 features, data quality, service health (no feedback). Medians of {Repeats}.");
        md.AppendLine().AppendLine("| path | rows | seconds (runs) | rows/s |").AppendLine("|---|---:|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| from memory (records already read) | {MemoryRows:N0} | {Median(memory):F2} ({Runs(memory)}) | {MemoryRows / Median(memory):N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| through storage: read the window from Azurite, then the same | {StorageRows:N0} | {Median(read):F2} ({Runs(read)}) | {StorageRows / Median(read):N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| (writing those rows to Azurite in 100-entity transactions, for scale) | {StorageRows:N0} | {write:F2} | {StorageRows / write:N0} |");
        md.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Drifted features found: {report!.Drift!.DriftedCount} of 20 (expected the 5 shifted ones): {string.Join(", ", report.Drift.Features.Where(f => f.Drifted).Select(f => f.Name))}.");
        return md.ToString();
    }

    private static async Task<(double Write, List<double> Read)> ThroughStorageAsync(string repositoryRoot, DatasetBaseline baseline, MonitoringOptions options, DateTimeOffset now)
    {
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        var service = new TableServiceClient(azurite.ConnectionString);
        var logOptions = new InferenceLogOptions();
        Progress.Write($"writing {StorageRows:N0} rows to Azurite...");
        var random = new Random(3);
        var started = Stopwatch.GetTimestamp();
        var entities = Enumerable.Range(0, StorageRows).Select(i => Entity(i, now.AddSeconds(-(i % 3000)), MonitorData.FeaturesJson(random), logOptions)).ToList();
        var tables = new Dictionary<string, TableClient>();
        foreach (var table in entities.Select(e => e.Table).Distinct())
        {
            tables[table] = service.GetTableClient(table);
            await tables[table].CreateIfNotExistsAsync();
        }

        await Parallel.ForEachAsync(entities.GroupBy(e => (e.Table, e.Entity.PartitionKey)).SelectMany(g => g.Chunk(100).Select(c => (g.Key.Table, Batch: c))),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (work, ct) => await tables[work.Table].SubmitTransactionAsync(work.Batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e.Entity)), ct));
        var write = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Progress.Write($"written in {write:F1} s");

        var reader = new InferenceLogReader(service, Options.Create(logOptions));
        var reads = new List<double>();
        for (var i = 0; i < Repeats; i++)
        {
            var begun = Stopwatch.GetTimestamp();
            var records = new List<InferenceLogRecord>(StorageRows);
            await foreach (var record in reader.ReadAsync(MonitorData.Model, now.AddHours(-1), now.AddSeconds(1), CancellationToken.None))
            {
                records.Add(record);
            }

            var report = VersionMonitor.Evaluate("bench", MonitorData.Model, MonitorData.Version, now.AddHours(-1), now, now, records, baseline, null,
                new Dictionary<(string, int), FeedbackRecord>(), options);
            reads.Add(Stopwatch.GetElapsedTime(begun).TotalSeconds);
            Progress.Write($"through storage: {reads[^1]:F2} s for {report.Rows:N0} rows");
            if (report.Rows != StorageRows)
            {
                throw new InvalidOperationException($"the monitor read {report.Rows} of {StorageRows} rows");
            }
        }

        return (write, reads);
    }

    /// <summary>A logged row as the inference log stores it (see InferenceLogKeys and InferenceLogReader).</summary>
    private static (string Table, TableEntity Entity) Entity(int index, DateTimeOffset at, string features, InferenceLogOptions options)
    {
        var requestId = $"req-{index / 10}";
        var row = index % 10;
        var entity = new TableEntity(InferenceLogKeys.PartitionKey(MonitorData.Model, at, InferenceLogKeys.Shard(requestId, options.Shards)),
            InferenceLogKeys.RowKey(at, requestId, row))
        {
            ["RequestId"] = requestId,
            ["Row"] = row,
            ["Model"] = MonitorData.Model,
            ["Version"] = MonitorData.Version,
            ["TimestampUtc"] = at,
            ["LatencyMs"] = 0.5,
            ["Status"] = InferenceLogStatus.Ok,
            ["Source"] = InferenceLogSource.Predict,
            ["Label"] = "1",
            ["Probability"] = 0.7,
            ["Features"] = features,
        };
        return (InferenceLogKeys.TableName(options.TablePrefix, at), entity);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Runs(List<double> values) => string.Join(", ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));
}
