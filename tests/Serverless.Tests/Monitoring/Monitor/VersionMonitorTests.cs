using System.Text.Json;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Training;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary>The monitor's verdict on windows of logged rows against a baseline, with seeded data and no storage.</summary>
public sealed class VersionMonitorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Cities = ["Oslo", "Bergen", "Trondheim"];

    private static readonly ModelManifest Manifest = ModelManifest.Parse("""
        {"task":"binary","features":[{"name":"age","type":"numeric"},{"name":"city","type":"categorical"}],
         "inputs":{"layout":"per_feature"},"outputs":{"probability":"p"},"class_labels":["no","yes"]}
        """u8);

    [Fact]
    public void Evaluate_TrafficLikeTheBaseline_NoFindings()
    {
        var report = Evaluate(Rows(400, seed: 2, ageMean: 40, cityWeights: [1, 1, 1]), feedback: Feedback(Rows(0, 0, 0, [1, 1, 1])));

        Assert.False(report.Drift!.DatasetDrift, string.Join("; ", report.Drift.Features.Select(f => $"{f.Name} {f.Method} p={f.PValue}")));
        Assert.Empty(report.Findings);
        Assert.Equal(400, report.Rows);
        Assert.Equal(400, report.Service.Requests);
        Assert.Contains(report.Histograms, h => h.Name == "age");
    }

    [Fact]
    public void Evaluate_ShiftedAgesAndCityMix_ReportsDataDriftOnBothFeatures()
    {
        var report = Evaluate(Rows(400, seed: 3, ageMean: 55, cityWeights: [6, 1, 1]), feedback: new Dictionary<(string, int), FeedbackRecord>());

        Assert.True(report.Drift!.DatasetDrift);
        Assert.All(report.Drift.Features, f => Assert.True(f.Drifted, f.Name));
        Assert.Contains(report.Findings, f => f.Kind == "data_drift" && f.Message.Contains("age") && f.Message.Contains("city"));
        Assert.Contains("<svg", MonitoringHtml.Render(report));
    }

    [Fact]
    public void Evaluate_OutcomesContradictThePredictions_ReportsPerformanceDecayAgainstValidation()
    {
        var rows = Rows(200, seed: 4, ageMean: 40, cityWeights: [1, 1, 1]);
        var flipped = Feedback(rows, flip: true);

        var report = Evaluate(rows, flipped);

        Assert.True(report.Performance.Decayed, report.Performance.Note);
        Assert.Equal(MetricNames.Auc, report.Performance.Metric);
        Assert.True(report.Performance.Live[MetricNames.Auc] < 0.2);
        Assert.Contains(report.Findings, f => f.Kind == "performance_decay");
    }

    [Fact]
    public void Evaluate_FailedRequestsAndUnseenCategories_AreFindings()
    {
        var rows = Rows(100, seed: 5, ageMean: 40, cityWeights: [1, 1, 1])
            .Select((r, i) => i % 5 == 0 ? r with { Features = Features(r.Features["age"].GetDouble(), "Paris") } : r)
            .Concat(Enumerable.Range(0, 20).Select(i => Record($"bad-{i}", -1, 0, null, "error")))
            .ToList();

        var report = Evaluate(rows, new Dictionary<(string, int), FeedbackRecord>());

        Assert.Contains(report.Findings, f => f.Kind == "errors");
        var city = report.DataQuality.Single(q => q.Name == "city");
        Assert.Equal(0.2, city.UnseenCategoryRate, 3);
        Assert.Equal(["Paris"], city.UnseenCategories);
        Assert.Contains(report.Findings, f => f.Kind == "data_quality" && f.Message.Contains("Paris"));
    }

    [Fact]
    public void Evaluate_TooFewRows_DoesNotJudgeDriftOrPerformance()
    {
        var rows = Rows(10, seed: 6, ageMean: 80, cityWeights: [1, 0, 0]);

        var report = Evaluate(rows, Feedback(rows, flip: true));

        Assert.False(report.Drift!.DatasetDrift);
        Assert.All(report.Drift.Features, f => Assert.Contains("too small", f.Note));
        Assert.False(report.Performance.Decayed);
        Assert.Contains("at least 30", report.Performance.Note);
    }

    [Fact]
    public void WindowAccumulator_RecordsInAnyOrder_GiveTheSameReport()
    {
        var rows = Rows(300, seed: 7, ageMean: 47, cityWeights: [3, 1, 1])
            .Concat(Enumerable.Range(0, 12).Select(i => Record($"bad-{i}", -1, 0, null, "error")))
            .ToList();
        var feedback = Feedback(rows.Where(r => !r.IsError).ToList(), flip: true);
        var order = new Random(11);
        var shuffled = rows.OrderBy(_ => order.Next()).ToList();
        var window = new WindowAccumulator(Baseline(), Manifest, feedback);
        foreach (var record in shuffled)
        {
            window.Add(record);
        }

        var streamed = window.Build("run-1", "churn", "1", Now.AddHours(-24), Now, Now, new MonitoringOptions());
        var listed = Evaluate(rows, feedback);

        Assert.Equal(300, window.Rows);
        Assert.Equal(listed.Drift!.Features.Select(f => (f.Name, f.Statistic, f.PValue, f.Drifted)), streamed.Drift!.Features.Select(f => (f.Name, f.Statistic, f.PValue, f.Drifted)));
        Assert.Equal(listed.Service, streamed.Service);
        Assert.Equal(312, streamed.Service.Requests);
        Assert.Equal(listed.Performance.Live.Keys, streamed.Performance.Live.Keys);
        Assert.All(listed.Performance.Live, m => Assert.Equal(m.Value, streamed.Performance.Live[m.Key], 1e-12)); // sums in another order
        Assert.Equal(listed.Findings.Select(f => f.Kind), streamed.Findings.Select(f => f.Kind));
        Assert.Equal(listed.DataQuality.Select(q => (q.Name, q.MissingRate, q.UnseenCategoryRate)), streamed.DataQuality.Select(q => (q.Name, q.MissingRate, q.UnseenCategoryRate)));
    }

    private static MonitoringReport Evaluate(IReadOnlyList<InferenceLogRecord> rows, IReadOnlyDictionary<(string, int), FeedbackRecord> feedback) =>
        VersionMonitor.Evaluate("run-1", "churn", "1", Now.AddHours(-24), Now, Now, rows, Baseline(), Manifest, feedback, new MonitoringOptions());

    /// <summary>500 reference rows: age ~ N(40, 8), cities uniform; validation AUC 0.9.</summary>
    private static DatasetBaseline Baseline()
    {
        var age = new BaselineBuilder("age", numeric: true);
        var city = new BaselineBuilder("city", numeric: false);
        foreach (var row in Rows(500, seed: 1, ageMean: 40, cityWeights: [1, 1, 1]))
        {
            age.AddNumber(row.Features["age"].GetDouble());
            city.AddText(row.Features["city"].GetString());
        }

        return new DatasetBaseline
        {
            Rows = 500,
            Features = [age.Build(), city.Build()],
            ValidationMetrics = new Dictionary<string, double> { [MetricNames.Auc] = 0.9, [MetricNames.Accuracy] = 0.85 },
        };
    }

    /// <summary>Rows whose positive probability rises with age; the label drawn from it.</summary>
    private static List<InferenceLogRecord> Rows(int count, int seed, double ageMean, int[] cityWeights)
    {
        var random = new Random(seed);
        var total = cityWeights.Sum();
        return Enumerable.Range(0, count).Select(i =>
        {
            var age = Math.Round(ageMean + (8 * Normal(random)), 1);
            var pick = random.Next(Math.Max(total, 1));
            var city = Cities[pick < cityWeights[0] ? 0 : pick < cityWeights[0] + cityWeights[1] ? 1 : 2];
            var probability = 1 / (1 + Math.Exp(-(age - 40) / 4));
            return Record($"req-{seed}-{i}", 0, age, city, "ok", probability);
        }).ToList();
    }

    private static InferenceLogRecord Record(string id, int row, double age, string? city, string status, double probability = 0.5) => new()
    {
        RequestId = id,
        Row = row,
        Model = "churn",
        Version = "1",
        TimestampUtc = Now.AddMinutes(-5),
        LatencyMs = 1.5,
        Status = status,
        Source = "predict",
        Label = probability >= 0.5 ? "yes" : "no",
        Probability = probability >= 0.5 ? probability : 1 - probability,
        Features = status == "ok" ? Features(age, city) : new Dictionary<string, JsonElement>(),
        Error = status == "ok" ? null : "boom",
    };

    private static Dictionary<string, JsonElement> Features(double age, string? city) => new()
    {
        ["age"] = JsonSerializer.SerializeToElement(age),
        ["city"] = JsonSerializer.SerializeToElement(city),
    };

    /// <summary>Outcomes drawn from each row's own probability (or their opposite, when <paramref name="flip"/>).</summary>
    private static Dictionary<(string, int), FeedbackRecord> Feedback(IReadOnlyList<InferenceLogRecord> rows, bool flip = false)
    {
        var random = new Random(99);
        return rows.ToDictionary(r => (r.RequestId, r.Row), r =>
        {
            var positive = PredictionValues.PositiveProbability(r, Manifest)!.Value;
            var actual = random.NextDouble() < positive;
            return new FeedbackRecord(r.RequestId, r.Row, (actual ^ flip) ? "yes" : "no", Now);
        });
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
