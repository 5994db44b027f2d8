using System.Globalization;
using System.Text;
using System.Text.Json;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Monitoring.Variants;
using Serverless.Tests.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary>
/// A window judged column by column over decoded blocks gives exactly the report (and mirror agreement) that judging
/// its records one by one gives, from new columnar blocks and from blocks of the earlier JSON format alike.
/// </summary>
public sealed class ColumnarWindowTests
{
    private static readonly DateTimeOffset Now = ColumnarBlocks.Now;

    private static readonly ModelManifest Manifest = ModelManifest.Parse("""
        {"task":"binary","features":[{"name":"age","type":"numeric"},{"name":"income","type":"numeric"}],
         "inputs":{"layout":"tensor","name":"input"},"outputs":{"probability":"p"},"class_labels":["no","yes"]}
        """u8);

    private static readonly string[] Cities = ["Oslo", "Bergen", "Trondheim", "Tromsø", "Bodø", "Ålesund", "Molde", "Hamar"];

    [Fact]
    public void Blocks_GiveTheSameReportAsRecordsOneByOne_FromNewAndOldBlocks()
    {
        var records = Records(900, seed: 4);
        var feedback = records.Where((r, i) => r.Row >= 0 && i % 3 == 0)
            .ToDictionary(r => (r.RequestId, r.Row), r => new FeedbackRecord(r.RequestId, r.Row, r.RequestId.Length % 2 == 0 ? "yes" : "no", Now));

        var oneByOne = Judge(feedback, window => records.ForEach(window.Add));
        var fromRecords = Judge(feedback, window => AddBlocks(window, InferenceLogColumns.FromRecords(records)));
        var fromColumnar = Judge(feedback, window => AddBlocks(window, InferenceLogBlockFormat.ReadColumns(ColumnarBlocks.Columnar(records))));
        var fromJson = Judge(feedback, window => AddBlocks(window, InferenceLogBlockFormat.ReadColumns(ColumnarBlocks.JsonBlock(records))));

        Assert.True(oneByOne.Rows > 700);
        Assert.NotNull(oneByOne.Drift);
        Assert.NotNull(oneByOne.Inputs);
        Assert.True(oneByOne.Performance.LabelledRows > 0);
        Assert.True(oneByOne.DataQuality.Single(q => q.Name == "city").PooledValues > 0);
        var expected = Encoding.UTF8.GetString(oneByOne.ToJson());
        Assert.Equal(expected, Encoding.UTF8.GetString(fromRecords.ToJson()));
        Assert.Equal(expected, Encoding.UTF8.GetString(fromColumnar.ToJson()));
        Assert.Equal(expected, Encoding.UTF8.GetString(fromJson.ToJson()));
    }

    [Fact]
    public void MirrorJoin_OverBlocks_AgreesWithRecordsOneByOne()
    {
        var records = Records(600, seed: 5);
        var limits = new WindowLimits(100, 5, 50);
        var oneByOne = new MirrorJoin(limits, new RowSampler(3));
        records.ForEach(oneByOne.Add);
        var byBlocks = new MirrorJoin(limits, new RowSampler(3));
        foreach (var block in InferenceLogBlockFormat.ReadColumns(ColumnarBlocks.Columnar(records)))
        {
            byBlocks.Add(block, block.Selected);
        }

        var expected = JsonSerializer.Serialize(oneByOne.Build());
        Assert.Contains("\"2\"", expected);
        Assert.Equal(expected, JsonSerializer.Serialize(byBlocks.Build()));
    }

    [Fact]
    public void Within_SelectsOnlyTheRowsInTheWindow()
    {
        var block = InferenceLogColumns.FromRecords(Records(50, seed: 6)).Single();
        var from = Now.AddMinutes(-30).UtcTicks;

        var inWindow = block.Within(from, Now.UtcTicks);

        Assert.Equal(block.Selected.ToArray().Where(r => block.TicksUtc[r] >= from && block.TicksUtc[r] < Now.UtcTicks).ToArray(), inWindow.Selected.ToArray());
        Assert.InRange(inWindow.Selected.Length, 1, block.Count - 1);
        Assert.Same(block, block.Within(DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks));
    }

    private static MonitoringReport Judge(Dictionary<(string, int), FeedbackRecord> feedback, Action<WindowAccumulator> add)
    {
        var window = new WindowAccumulator(Baseline(), Manifest, new FeedbackWindow(feedback), new WindowLimits(200, 3, 100), new RowSampler(9),
            driftFrom: Now.AddMinutes(-100));
        add(window);
        return window.Build("run", "m", "1", Now.AddHours(-3), Now, Now, new MonitoringOptions { MinimumWindowRows = 10, MinimumFeedbackRows = 5 });
    }

    private static void AddBlocks(WindowAccumulator window, IEnumerable<InferenceLogColumns> blocks)
    {
        foreach (var block in blocks)
        {
            window.Add(block, block.Selected);
        }
    }

    private static DatasetBaseline Baseline()
    {
        var random = new Random(1);
        var builders = new[]
        {
            new BaselineBuilder("age", numeric: true), new BaselineBuilder("income", numeric: true), new BaselineBuilder("city", numeric: false),
            new BaselineBuilder("plan", numeric: false),
        };
        var prediction = new BaselineBuilder("prediction", numeric: true);
        for (var i = 0; i < 400; i++)
        {
            builders[0].AddNumber(40 + (10 * random.NextDouble()));
            builders[1].AddNumber(1000 * random.NextDouble());
            builders[2].AddText(Cities[random.Next(3)]);
            builders[3].AddText(random.Next(2) == 0 ? "3" : "true");
            prediction.AddNumber(random.NextDouble());
        }

        return new DatasetBaseline { Rows = 400, Features = [.. builders.Select(b => b.Build())], Predictions = prediction.Build() };
    }

    /// <summary>
    /// Requests of two rows through both APIs: rows by feature name and OIP rows by tensor name, missing, numeric-text and
    /// non-numeric values, numbers and booleans as categories, more cities than the limits keep, summaries of
    /// non-tabular inputs, failures, and mirror copies scored by version 2; over three hours.
    /// </summary>
    private static List<InferenceLogRecord> Records(int count, int seed)
    {
        var random = new Random(seed);
        var records = new List<InferenceLogRecord>();
        for (var i = 0; i < count; i++)
        {
            var id = $"req-{seed}-{i / 2}";
            var at = Now.AddMinutes(-(i % 170)).AddTicks(i);
            if (i % 50 == 7)
            {
                records.Add(ColumnarBlocks.Failure(id, i % 100 == 7 ? 503 : 400) with { TimestampUtc = at, Version = "1" });
                continue;
            }

            var p = Math.Round(random.NextDouble(), 4);
            var age = (40 + (15 * random.NextDouble())).ToString("0.###", CultureInfo.InvariantCulture);
            var income = Math.Round(1200 * random.NextDouble(), 2).ToString(CultureInfo.InvariantCulture);
            string features;
            if (i % 40 == 11)
            {
                features = """{"img.shape": "[1,3,8,8]", "img.dtype": "FP32", "img.count": 192, "img.mean": 0.5, "img.std": 0.25, "img.nan": 1, "img.inf": 0}""";
            }
            else if (i % 3 == 0)
            {
                features = $$"""{"x0": {{age}}, "x1": {{(i % 9 == 0 ? "\"12.5\"" : income)}}}""";
            }
            else
            {
                var ageValue = (i % 11) switch { 1 => "null", 2 => "\"41.5\"", 3 => "\"n/a\"", _ => age };
                var plan = (i % 4) switch { 0 => "3", 1 => "true", 2 => "\"gold\"", _ => "null" };
                features = $$"""{"age": {{ageValue}}, "income": {{income}}, "city": "{{Cities[random.Next(Cities.Length)]}}", "plan": {{plan}}}""";
            }

            var mirror = i % 13 == 0;
            var record = ColumnarBlocks.Record(id, i % 2, Values(features), version: mirror ? "2" : "1",
                outputs: i % 5 == 0 ? null : Values($$"""{"scores": [{{1 - p}}, {{p}}]}"""), label: p >= 0.5 ? "yes" : "no", probability: Math.Max(p, 1 - p),
                mirror: mirror, source: i % 3 == 0 ? InferenceLogSource.Infer : InferenceLogSource.Predict, at: at);
            records.Add(record with { LatencyMs = 1 + (i % 17) });
        }

        return records;
    }

    private static Dictionary<string, JsonElement> Values(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
