using System.Diagnostics;
using Azure.Data.Tables;
using Serverless.Core.Monitoring.Logging;
using Xunit.Abstractions;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class PerfTmp2Tests(ITestOutputHelper output)
{
    [Fact]
    public void Perf2()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { BufferCapacity = 1_000_000 });
        var schema = new Serverless.Core.Tabular.FeatureSchema(Enumerable.Range(0, 10).Select(i => new Serverless.Core.Tabular.FeatureSpec($"f{i}", Serverless.Core.Tabular.FeatureType.Numeric)).ToList());
        const int n = 20_000;
        var captures = new List<InferenceLogCapture>();
        for (var i = 0; i < n; i++)
        {
            var capture = harness.Logger.Begin(InferenceLogSource.Predict, "logreg", null, null);
            capture.EnsureRequestId();
            var batch = new Serverless.Core.Tabular.FeatureBatch(schema, 1);
            batch.AddRow(Enumerable.Range(0, 10).ToDictionary(f => $"f{f}", f => (string?)"0.8415"));
            capture.RecordTabular(Captures.Version("logreg"), batch, [new Serverless.Core.Tabular.TabularPrediction { Label = "1", LabelIsNumber = true, Probability = 0.73f, Scores = [0.27f, 0.73f] }]);
            harness.Logger.Complete(capture);
            harness.Buffer.TryRead(out var c);
            captures.Add(c);
        }
        var builder = new InferenceLogEntities("inferencelog", 4);
        var list = new List<InferenceLogEntity>(n);
        for (var round = 0; round < 3; round++)
        {
            list.Clear();
            var sw = Stopwatch.StartNew();
            foreach (var c in captures) builder.Build(c, list);
            output.WriteLine($"build {sw.Elapsed.TotalMilliseconds / n * 1000:F2} us/record");
        }
        var t = DateTimeOffset.UtcNow;
        var sw2 = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) { _ = InferenceLogKeys.TableName("inferencelog", t); _ = InferenceLogKeys.PartitionKey("logreg", t, 2); _ = InferenceLogKeys.RowKey(t, "0123456789abcdef0123456789abcdef", 0); }
        output.WriteLine($"keys {sw2.Elapsed.TotalMilliseconds / n * 1000:F2} us");
        sw2.Restart();
        for (var i = 0; i < n; i++) { _ = new TableEntity("a", "b") { ["A"] = "x", ["B"] = 1, ["C"] = "m", ["D"] = "v", ["E"] = t, ["F"] = 1.5, ["G"] = "ok", ["H"] = "predict", ["I"] = "{}", ["J"] = "1", ["K"] = 0.5, ["L"] = "{}" }; }
        output.WriteLine($"entity {sw2.Elapsed.TotalMilliseconds / n * 1000:F2} us");
    }
}
