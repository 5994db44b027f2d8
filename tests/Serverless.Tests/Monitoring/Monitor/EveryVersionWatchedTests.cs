using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary>
/// Every version judged whatever door its traffic came through: OIP rows of a tabular model under the manifest's
/// features, versions without a baseline reported (service, outputs) and judged against their own first traffic,
/// service findings against thresholds and the previous window. Seeded data, no storage.
/// </summary>
public sealed class EveryVersionWatchedTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly ModelManifest TensorManifest = ModelManifest.Parse("""
        {"task":"binary","features":[{"name":"tenure","type":"numeric"},{"name":"charges","type":"numeric"}],
         "inputs":{"layout":"tensor","name":"input"},"outputs":{"probability":"p"}}
        """u8);

    [Fact]
    public void Window_OipRowsLoggedWithTensorNames_AreJudgedUnderTheManifestsFeatures()
    {
        var calm = Rows(100, seed: 1, InferenceLogSource.Predict, shift: 0, names: ["tenure", "charges"]);
        var shifted = Rows(300, seed: 2, InferenceLogSource.Infer, shift: 3, names: ["x0", "x1"]);

        var report = VersionMonitor.Evaluate("run", "churn", "1", Now.AddHours(-24), Now, Now, [.. calm, .. shifted], Baseline(), TensorManifest,
            new Dictionary<(string, int), FeedbackRecord>(), new MonitoringOptions());

        Assert.True(report.Drift!.DatasetDrift, string.Join("; ", report.Drift.Features.Select(f => $"{f.Name} {f.NCurrent}")));
        Assert.All(report.Drift.Features, f => Assert.Equal(400, f.NCurrent));
        var judged = report.Judged!.Single(j => j.Test == JudgedRows.DataDrift);
        Assert.Equal(400, judged.Rows);
        Assert.Equal([("infer", 300L), ("predict", 100L)], judged.ByApi.Select(a => (a.Key, a.Value)));
        Assert.Equal([("infer", 300L), ("predict", 100L)], report.Service.Apis!.Select(a => (a.Api, a.Rows)));
        Assert.Equal(ReferenceInfo.Baseline, report.Reference!.Kind);
    }

    [Fact]
    public void Evaluate_NoBaselineNoManifest_ReportsServiceByStatusAndApiAndOutputsButNoDrift()
    {
        var served = Rows(50, seed: 3, InferenceLogSource.Infer, shift: 0, names: ["x0"]).Select((r, i) => r with { Value = i % 10 }).ToList();
        var failed = Enumerable.Range(0, 15).Select(i => Failure($"bad-{i}", i < 10 ? 400 : 500, InferenceLogSource.Infer)).ToList();

        var report = VersionMonitor.Evaluate("run", "plain", "1", Now.AddHours(-24), Now, Now, [.. served, .. failed], baseline: null, manifest: null,
            new Dictionary<(string, int), FeedbackRecord>(), new MonitoringOptions());

        Assert.Null(report.Drift);
        Assert.Empty(report.DataQuality);
        Assert.Equal(ReferenceInfo.None, report.Reference!.Kind);
        Assert.Equal(65, report.Service.Requests);
        Assert.Equal([("400", 10L), ("500", 5L)], report.Service.ErrorsByStatus!.Select(s => (s.Key, s.Value)));
        var infer = Assert.Single(report.Service.Apis!);
        Assert.Equal(("infer", 65L, 50L, 15L), (infer.Api, infer.Requests, infer.Rows, infer.Errors));
        Assert.Equal(50, report.Outputs!.Values!.Count);
        Assert.Equal(4.5, report.Outputs.Values.Mean, 9);
        var errors = Assert.Single(report.Findings);
        Assert.Equal("errors", errors.Kind);
        Assert.Contains("400: 10", errors.Message);
        Assert.Contains("no baseline", MonitoringHtml.Render(report));
    }

    [Fact]
    public void Evaluate_SlowRequests_AreALatencyFindingUnderTheModelsOwnThresholdOnly()
    {
        var slow = Rows(40, seed: 4, InferenceLogSource.Predict, shift: 0, names: ["tenure", "charges"]).Select(r => r with { LatencyMs = 250 }).ToList();
        var options = new MonitoringOptions();
        options.Models["Checkout"] = new ServiceThresholdOverrides { LatencyP95ThresholdMs = 200 };

        var strict = VersionMonitor.Evaluate("run", "checkout", "1", Now.AddHours(-24), Now, Now, slow, null, null, new Dictionary<(string, int), FeedbackRecord>(), options);
        var lenient = VersionMonitor.Evaluate("run", "other", "1", Now.AddHours(-24), Now, Now, slow, null, null, new Dictionary<(string, int), FeedbackRecord>(), options);

        Assert.Contains(strict.Findings, f => f.Kind == "latency" && f.Message.Contains("250 ms > 200 ms"));
        Assert.DoesNotContain(lenient.Findings, f => f.Kind == "latency");
    }

    [Fact]
    public void ServiceFindings_WorseThanThePreviousWindow_AreIncreases()
    {
        var previous = new PreviousWindow("run-0", Now.AddHours(-48), Now.AddHours(-24), 1_000, 0.01, 40);
        var now = new ServiceHealth(1_000, 80, 0.08, 30, 120, 150, Previous: previous);
        var thresholds = ServiceThresholds.Default with { ErrorRate = 0.5 };

        var findings = VersionMonitor.ServiceFindings(now, thresholds, minimumRequests: 30);
        var tooFewBefore = VersionMonitor.ServiceFindings(now with { Previous = previous with { Requests = 5 } }, thresholds, minimumRequests: 30);
        var smallRise = VersionMonitor.ServiceFindings(now with { ErrorRate = 0.03, LatencyP95Ms = 85 }, thresholds, minimumRequests: 30);

        Assert.Equal(["error_rate_increase", "latency_increase"], findings.Select(f => f.Kind));
        Assert.Contains("run-0", findings[1].Message);
        Assert.Empty(tooFewBefore);
        Assert.Empty(smallRise);
    }

    [Fact]
    public void TrafficReference_WithoutManifest_LaterShiftedSummariesAreDriftedAgainstIt()
    {
        var builder = new TrafficReferenceBuilder(null, WindowLimits.Default, new RowSampler(1), maxFeatures: 100);
        foreach (var record in Summaries(300, seed: 5, mean: 0))
        {
            builder.Add(record);
        }

        builder.Add(Failure("failed", 500, InferenceLogSource.Infer));
        var reference = builder.Build("first day", Now.AddHours(-48), Now.AddHours(-24), Now)!;
        var calm = VersionMonitor.Evaluate("run", "vision", "1", Now.AddHours(-24), Now, Now, Summaries(200, seed: 6, mean: 0), reference, null,
            new Dictionary<(string, int), FeedbackRecord>(), new MonitoringOptions());
        var shifted = VersionMonitor.Evaluate("run", "vision", "1", Now.AddHours(-24), Now, Now, Summaries(200, seed: 7, mean: 2), reference, null,
            new Dictionary<(string, int), FeedbackRecord>(), new MonitoringOptions());

        Assert.Equal(300, reference.Rows);
        Assert.Equal(["image.shape", "image.count", "image.mean", "image.std", "image.nan"], reference.Features.Select(f => f.Name));
        Assert.Equal(["categorical", "numeric", "numeric", "numeric", "numeric"], reference.Features.Select(f => f.Type));
        Assert.Equal(Now.AddHours(-24), reference.TrafficToUtc);
        Assert.NotNull(reference.Predictions);
        Assert.Equal(ReferenceInfo.Traffic, calm.Reference!.Kind);
        Assert.False(calm.Drift!.Features.Single(f => f.Name == "image.mean").Drifted);
        Assert.True(shifted.Drift!.Features.Single(f => f.Name == "image.mean").Drifted);
        Assert.True(shifted.PredictionDrift!.Drifted);
        Assert.Contains(shifted.Findings, f => f.Kind == "prediction_drift");
        var image = Assert.Single(shifted.Inputs!);
        Assert.Equal(2, image.Mean!.Value, 1);
        Assert.Equal(200, image.Shapes["[1,3,8,8]"]);
    }

    [Fact]
    public void Window_RowsOfTheCapturedReference_CountForServiceButAreNotJudgedForDrift()
    {
        var captured = Rows(100, seed: 9, InferenceLogSource.Infer, shift: 0, names: ["tenure", "charges"]).Select(r => r with { TimestampUtc = Now.AddHours(-3) });
        var later = Rows(60, seed: 10, InferenceLogSource.Infer, shift: 0, names: ["tenure", "charges"]);
        var window = new WindowAccumulator(Baseline() with { TrafficFromUtc = Now.AddHours(-4), TrafficToUtc = Now.AddHours(-2) }, TensorManifest,
            FeedbackWindow.Empty, WindowLimits.Default, new RowSampler(3), driftFrom: Now.AddHours(-2));
        foreach (var record in captured.Concat(later))
        {
            window.Add(record);
        }

        var report = window.Build("run", "churn", "1", Now.AddHours(-24), Now, Now, new MonitoringOptions());

        Assert.Equal(160, report.Rows);
        Assert.Equal(160, report.Service.Requests);
        Assert.All(report.Drift!.Features, f => Assert.Equal(60, f.NCurrent));
        Assert.Equal(60, report.Judged!.Single(j => j.Test == JudgedRows.DataDrift).Rows);
        Assert.Equal(ReferenceInfo.Traffic, report.Reference!.Kind);
    }

    [Fact]
    public void TrafficReference_ManyFeatures_KeepsTheFirstOnesWithinItsBounds()
    {
        var builder = new TrafficReferenceBuilder(null, WindowLimits.Default, new RowSampler(1), maxFeatures: 10);
        var names = Enumerable.Range(0, 50).Select(i => $"x{i}").ToArray();
        foreach (var record in Rows(20_000, seed: 8, InferenceLogSource.Infer, shift: 0, names: names))
        {
            builder.Add(record);
        }

        var reference = builder.Build("wide", Now.AddHours(-2), Now.AddHours(-1), Now)!;

        Assert.Equal(names.Take(10), reference.Features.Select(f => f.Name));
        Assert.Equal(40, builder.FeaturesLeftOut);
        Assert.All(reference.Features, f => Assert.Equal(1_000, f.Sample!.Count));
        Assert.All(reference.Features, f => Assert.InRange(f.HistogramCounts!.Sum(), 19_980, 20_020));
        Assert.True(builder.ValuesHeld <= 10 * (TrafficReferenceBuilder.HistogramSample + 1_000) + 2 * TrafficReferenceBuilder.HistogramSample);
    }

    [Fact]
    public void TensorInputs_SummariesOfOneInput_ArePooledWithTheirNonFiniteRatesAndShapeMix()
    {
        var inputs = new TensorInputAccumulator();
        inputs.Add(Summary("a", "[1,4]", count: 4, mean: 1, std: 1, nan: 0));
        inputs.Add(Summary("b", "[1,2,4]", count: 8, mean: 4, std: 2, nan: 2));

        var image = Assert.Single(inputs.Build());

        Assert.Equal(2, image.Requests);
        Assert.Equal(12, image.Values);
        Assert.Equal(2.8, image.Mean!.Value, 9); // 4 finite values of mean 1 and 6 of mean 4
        Assert.Equal(Math.Sqrt(4.96), image.StdDev!.Value, 9);
        Assert.Equal(2.0 / 12, image.NanRate, 9);
        Assert.Equal([("[1,2,4]", 1L), ("[1,4]", 1L)], image.Shapes.Select(s => (s.Key, s.Value)));
    }

    [Fact]
    public void Options_ModelOverrideOutOfRange_FailsNamingTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Monitoring:Models:checkout:LatencyP95ThresholdMs"] = "-5",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.SectionName).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MonitoringOptions>>().Value);

        Assert.Contains("Monitoring:Models:checkout:LatencyP95ThresholdMs", error.Message);
    }

    private static DatasetBaseline Baseline()
    {
        var tenure = new BaselineBuilder("tenure", numeric: true);
        var charges = new BaselineBuilder("charges", numeric: true);
        var random = new Random(42);
        for (var i = 0; i < 500; i++)
        {
            tenure.AddNumber(Normal(random));
            charges.AddNumber(Normal(random));
        }

        return new DatasetBaseline { Rows = 500, Features = [tenure.Build(), charges.Build()], Source = "training" };
    }

    private static List<InferenceLogRecord> Rows(int count, int seed, string source, double shift, string[] names)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new InferenceLogRecord
        {
            RequestId = $"{source}-{seed}-{i}",
            Row = 0,
            Model = "churn",
            Version = "1",
            TimestampUtc = Now.AddMinutes(-5),
            LatencyMs = 2,
            Status = InferenceLogStatus.Ok,
            Source = source,
            Probability = 0.7,
            Label = "1",
            Features = names.ToDictionary(n => n, _ => JsonSerializer.SerializeToElement(shift + Normal(random))),
        }).ToList();
    }

    private static List<InferenceLogRecord> Summaries(int count, int seed, double mean)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var m = mean + (0.1 * Normal(random));
            return Summary($"s-{seed}-{i}", "[1,3,8,8]", count: 192, mean: m, std: 1 + (0.05 * Normal(random)), nan: 0) with
            {
                Outputs = new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement("y"), ["mean"] = JsonSerializer.SerializeToElement(m * 2) },
            };
        }).ToList();
    }

    private static InferenceLogRecord Summary(string id, string shape, long count, double mean, double std, long nan) => new()
    {
        RequestId = id,
        Row = 0,
        Model = "vision",
        Version = "1",
        TimestampUtc = Now.AddMinutes(-5),
        LatencyMs = 3,
        Status = InferenceLogStatus.Ok,
        Source = InferenceLogSource.Infer,
        Features = new Dictionary<string, JsonElement>
        {
            ["image.shape"] = JsonSerializer.SerializeToElement(shape),
            ["image.count"] = JsonSerializer.SerializeToElement(count),
            ["image.mean"] = JsonSerializer.SerializeToElement(mean),
            ["image.std"] = JsonSerializer.SerializeToElement(std),
            ["image.nan"] = JsonSerializer.SerializeToElement(nan),
        },
    };

    private static InferenceLogRecord Failure(string id, int status, string source) => new()
    {
        RequestId = id,
        Row = -1,
        Model = "m",
        Version = "1",
        TimestampUtc = Now.AddMinutes(-5),
        LatencyMs = 1,
        Status = InferenceLogStatus.Error,
        Source = source,
        Error = "failed",
        StatusCode = status,
        Features = new Dictionary<string, JsonElement>(),
    };

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
