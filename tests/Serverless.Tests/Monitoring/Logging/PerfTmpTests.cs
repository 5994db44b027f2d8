using System.Diagnostics;
using Azure.Data.Tables;
using Serverless.Core.Monitoring.Logging;
using Serverless.Local.Azurite;
using Serverless.Local.Hosting;
using Xunit.Abstractions;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class PerfTmpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Perf()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { BufferCapacity = 1_000_000 });
        var schema = new Serverless.Core.Tabular.FeatureSchema(Enumerable.Range(0, 10).Select(i => new Serverless.Core.Tabular.FeatureSpec($"f{i}", Serverless.Core.Tabular.FeatureType.Numeric)).ToList());
        const int n = 30_000;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var capture = harness.Logger.Begin(InferenceLogSource.Predict, "logreg", null, null);
            capture.EnsureRequestId();
            var batch = new Serverless.Core.Tabular.FeatureBatch(schema, 1);
            batch.AddRow(Enumerable.Range(0, 10).ToDictionary(f => $"f{f}", f => (string?)"0.8415"));
            capture.RecordTabular(Captures.Version("logreg"), batch, [new Serverless.Core.Tabular.TabularPrediction { Label = "1", LabelIsNumber = true, Probability = 0.73f, Scores = [0.27f, 0.73f] }]);
            harness.Logger.Complete(capture);
        }
        output.WriteLine($"setup {sw.Elapsed.TotalMilliseconds / n * 1000:F2} us/req");
        var builder = new InferenceLogEntities("inferencelog", 4);
        var list = new List<InferenceLogEntity>(n);
        sw.Restart();
        while (harness.Buffer.TryRead(out var c)) builder.Build(c, list);
        output.WriteLine($"build {sw.Elapsed.TotalMilliseconds / n * 1000:F2} us/record");
        var batcher = new InferenceLogBatcher();
        foreach (var e in list) batcher.Add(e);
        var batches = batcher.TakeAll();

        var root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);
        await using var azurite = await AzuriteProcess.StartAsync(new AzuriteOptions
        {
            InstallDirectory = Path.Combine(RepositoryPaths.LocalFolder(root), "azurite"), DataDirectory = null,
            BlobPort = AzuriteProcess.FreePort(), QueuePort = AzuriteProcess.FreePort(), TablePort = AzuriteProcess.FreePort(),
        });
        var sink = new TableInferenceLogSink(new TableServiceClient(azurite.ConnectionString));
        await sink.WriteAsync(batches[0], default);
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        await Parallel.ForEachAsync(batches.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (b, ct) => await sink.WriteAsync(b, ct));
        var cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
        output.WriteLine($"write {sw.Elapsed.TotalMilliseconds / n * 1000:F2} us/record wall, {(cpu2 - cpu1).TotalMilliseconds / n * 1000:F2} us/record CPU (this process), batches {batches.Count}");
        var lean = new TableInferenceLogSink(new TableServiceClient(azurite.ConnectionString, new TableClientOptions { Diagnostics = { IsLoggingEnabled = false, IsDistributedTracingEnabled = false, IsTelemetryEnabled = false } }));
        var leanBatches = batches.Select(b => b with { Entities = b.Entities.Select(e => { var c = new TableEntity(e); c.RowKey += "l"; return c; }).ToList() }).ToList();
        await lean.WriteAsync(leanBatches[0], default);
        cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        await Parallel.ForEachAsync(leanBatches.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (b, ct) => await lean.WriteAsync(b, ct));
        cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
        output.WriteLine($"lean-diagnostics write {sw.Elapsed.TotalMilliseconds / n * 1000:F2} us/record wall, {(cpu2 - cpu1).TotalMilliseconds / n * 1000:F2} us/record CPU");
        var minimal = batches.Select(b => b with { Entities = b.Entities.Select(e => new TableEntity(e.PartitionKey, e.RowKey + "m") { ["Data"] = string.Join("|", e.Select(kv => kv.Value?.ToString())) }).ToList() }).ToList();
        cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        await Parallel.ForEachAsync(minimal.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (b, ct) => await sink.WriteAsync(b, ct));
        cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
        output.WriteLine($"minimal write {sw.Elapsed.TotalMilliseconds / n * 1000:F2} us/record wall, {(cpu2 - cpu1).TotalMilliseconds / n * 1000:F2} us/record CPU");
        var packed = batches.Select(b => new InferenceLogBatch(b.Table, b.PartitionKey, [new TableEntity(b.PartitionKey, b.Entities[0].RowKey + "p") { ["Data"] = string.Join("\n", b.Entities.Select(e => string.Join("|", e.Select(kv => kv.Value?.ToString())))) }])).ToList();
        var client = new TableServiceClient(azurite.ConnectionString).GetTableClient(batches[0].Table);
        cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        await Parallel.ForEachAsync(packed.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (b, ct) => await client.UpsertEntityAsync(b.Entities[0], TableUpdateMode.Replace, ct));
        cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
        output.WriteLine($"packed single-entity write {sw.Elapsed.TotalMilliseconds / n * 1000:F2} us/record wall, {(cpu2 - cpu1).TotalMilliseconds / n * 1000:F2} us/record CPU, avg size {packed.Average(p => ((string)p.Entities[0]["Data"]).Length)}");
    }
}
