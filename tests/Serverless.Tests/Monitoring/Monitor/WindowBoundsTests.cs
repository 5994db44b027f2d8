using System.Text.Json;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary>What a monitor run keeps per model version stays within the configured bounds, whatever the traffic.</summary>
public sealed class WindowBoundsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Cities = ["Oslo", "Bergen", "Trondheim"];

    private static readonly ModelManifest Manifest = ModelManifest.Parse("""
        {"task":"binary","features":[{"name":"age","type":"numeric"},{"name":"income","type":"numeric"},{"name":"city","type":"categorical"}],
         "inputs":{"layout":"per_feature"},"outputs":{"probability":"p"},"class_labels":["no","yes"]}
        """u8);

    [Fact]
    public void Accumulator_TwoMillionHostileRecords_RetainsNoMoreThanTheCaps()
    {
        const int records = 2_000_000;
        var options = new MonitoringOptions();
        var limits = WindowLimits.From(options);
        var numbers = Elements(Enumerable.Range(0, 1_000).Select(i => 20 + (i % 60) + (i / 1000.0)));
        var categories = Elements(Enumerable.Range(0, 500_000).Select(i => $"c{i}"));
        var cities = Elements(Cities);
        // Half the traffic reuses one request id, and every outcome for it matches: a million labelled rows.
        var feedback = new Dictionary<(string, int), FeedbackRecord> { [("dup", 0)] = new("dup", 0, "yes", Now) };
        var window = new WindowAccumulator(Baseline(), Manifest, new FeedbackWindow(feedback), limits, new RowSampler(5));

        for (var i = 0; i < records; i++)
        {
            // A quarter of the rows carry a baseline city; 1 in 100 a 32 KB string, each different; the rest one of 500,000 new categories.
            var category = i % 4 == 0 ? cities[i % 3] : i % 100 == 1 ? JsonSerializer.SerializeToElement(new string('a', 32_000) + i) : categories[i % 500_000];
            window.Add(new InferenceLogRecord
            {
                RequestId = i % 2 == 0 ? "dup" : $"r{i}",
                Row = 0,
                Model = "churn",
                Version = "1",
                TimestampUtc = Now.AddMilliseconds(-i),
                LatencyMs = i % 1_000,
                Status = "ok",
                Source = "predict",
                Label = "yes",
                Probability = 0.7,
                Features = new Dictionary<string, JsonElement>
                {
                    ["age"] = numbers[i % numbers.Length],
                    ["income"] = i % 10 == 0 ? default : numbers[(i * 7) % numbers.Length],
                    ["city"] = category,
                },
            });
        }

        Assert.Equal(records, window.Rows);
        Assert.Equal(options.MaxSampleRows, window.Features.Single(f => f.Name == "age").ValuesHeld);
        Assert.Equal(options.MaxSampleRows, window.Features.Single(f => f.Name == "income").ValuesHeld);
        Assert.Equal(Cities.Length + options.MaxCategories, window.Features.Single(f => f.Name == "city").CategoriesHeld);
        Assert.Equal(options.MaxSampleRows, window.LatenciesHeld);
        Assert.Equal(options.MaxFeedbackRows, window.LabelledHeld);

        var report = window.Build("run-1", "churn", "1", Now.AddHours(-24), Now, Now, options);

        var age = report.Drift!.Features.Single(f => f.Name == "age");
        Assert.Equal(records, age.NCurrent);
        Assert.Equal(options.MaxSampleRows, age.CurrentSample);
        Assert.Equal(records - (records / 10), report.Drift.Features.Single(f => f.Name == "income").NCurrent);
        var city = report.DataQuality.Single(q => q.Name == "city");
        Assert.Equal(0.75, city.UnseenCategoryRate, 12); // exact, pooled values included
        Assert.True(city.PooledValues > records / 2, city.PooledValues.ToString());
        Assert.All(city.UnseenCategories, c => Assert.True(c.Length <= CategoryKeys.MaxShownLength, c));
        Assert.Equal(records, report.Service.Requests); // every record is a one-row request
        Assert.Equal(options.MaxSampleRows, report.Sampling!.LatencySample);
        Assert.Equal(records / 2, report.Sampling.LabelledMatched);
        Assert.Equal(options.MaxFeedbackRows, report.Performance.LabelledRows);
        var alert = JsonSerializer.Serialize(MonitoringAlert.From(report));
        Assert.DoesNotContain(new string('a', 100), alert);
        Assert.DoesNotContain(new string('a', 100), MonitoringHtml.Render(report));
    }

    [Fact]
    public void Build_WindowOverTheSampleCap_SameReportInAnyOrderAndSaysSampled()
    {
        var limits = new WindowLimits(MaxSampleRows: 1_000, MaxCategories: 10, MaxFeedbackRows: 1_000);
        var rows = Enumerable.Range(0, 20_000).Select(i => Record($"req-{i}", 30 + (i % 41), Cities[i % 3])).ToList();
        var shuffled = rows.OrderBy(r => r.RequestId.GetHashCode(StringComparison.Ordinal)).ToList();

        var first = Judge(rows, limits, seed: 9);
        var second = Judge(shuffled, limits, seed: 9);

        var age = first.Drift!.Features.Single(f => f.Name == "age");
        Assert.Equal(20_000, age.NCurrent);
        Assert.Equal(1_000, age.CurrentSample);
        Assert.Equal(first.Drift.Features.Select(f => (f.Statistic, f.PValue, f.Drifted)), second.Drift!.Features.Select(f => (f.Statistic, f.PValue, f.Drifted)));
        Assert.Equal(first.Service, second.Service);
        Assert.Equal(20_000, first.Histograms.Single(h => h.Name == "age").Current.Sum()); // charts count every value, not the sample
        Assert.Contains("drift tests ran on a uniform sample of 1,000 values for age (of 20,000)", MonitoringHtml.Render(first));
        Assert.Contains("(sample 1000)", MonitoringHtml.Render(first));
    }

    [Fact]
    public void Build_WindowUnderTheCaps_IsNotSampled()
    {
        var report = Judge(Enumerable.Range(0, 500).Select(i => Record($"req-{i}", 30 + (i % 41), Cities[i % 3])).ToList(), WindowLimits.Default, seed: 1);

        Assert.All(report.Drift!.Features, f => Assert.Null(f.CurrentSample));
        Assert.Equal(500, report.Sampling!.LatencySample);
        Assert.DoesNotContain("Sampled to bound memory", MonitoringHtml.Render(report));
    }

    [Theory]
    [InlineData(false, DriftMethod.JensenShannon)]
    [InlineData(false, DriftMethod.ChiSquare)]
    [InlineData(true, DriftMethod.JensenShannon)]
    [InlineData(true, DriftMethod.ChiSquare)]
    [InlineData(true, DriftMethod.Psi)]
    public void CategoryCap_OverflowBucket_GivesTheUncappedVerdict(bool baselinePooled, DriftMethod method)
    {
        var feature = new FeatureBaseline
        {
            Name = "city",
            Type = "categorical",
            Count = 5_000,
            Categories = new Dictionary<string, long> { ["Oslo"] = 2_000, ["Bergen"] = 1_500, ["Trondheim"] = 1_000 },
            OtherCount = baselinePooled ? 500 : 0,
        };
        var capped = new ColumnAccumulator(feature, new WindowLimits(1_000, 10, 1_000));
        var uncapped = new ColumnAccumulator(feature, new WindowLimits(1_000, 100_000, 1_000));
        for (var i = 0; i < 20_000; i++)
        {
            var value = i % 3 == 0 ? $"new-{i % 300}" : Cities[i % 3];
            capped.AddCategory(value);
            uncapped.AddCategory(value);
        }

        var cappedColumn = capped.Build();
        var options = new DriftOptions { Overrides = new Dictionary<string, FeatureDriftOverride> { ["city"] = new() { Method = method } } };
        var withCap = DriftEngine.Compare([BaselineReference.Column(feature)], [cappedColumn.Column], 5_000, 20_000, options).Features[0];
        var withoutCap = DriftEngine.Compare([BaselineReference.Column(feature)], [uncapped.Build().Column], 5_000, 20_000, options).Features[0];

        Assert.True(cappedColumn.Pooled > 0);
        Assert.Equal(withoutCap.Drifted, withCap.Drifted);
        Assert.Equal(withoutCap.Statistic!.Value, withCap.Statistic!.Value, 9);
        Assert.Equal(
            WindowColumns.Quality(feature, uncapped.Build(), 20_000).UnseenCategoryRate,
            WindowColumns.Quality(feature, cappedColumn, 20_000).UnseenCategoryRate, 12);
    }

    [Fact]
    public async Task FeedbackWindow_MoreOutcomesThanTheCap_KeepsAUniformSampleAndCountsAll()
    {
        var outcomes = Enumerable.Range(0, 5_000).Select(i => new FeedbackRecord($"req-{i}", 0, i % 2 == 0 ? "yes" : "no", Now)).ToList();

        var window = await FeedbackWindow.CollectAsync(Stream(outcomes), 1_000, new RowSampler(3), CancellationToken.None);
        var again = await FeedbackWindow.CollectAsync(Stream(outcomes.AsEnumerable().Reverse()), 1_000, new RowSampler(3), CancellationToken.None);

        Assert.Equal(1_000, window.Records.Count);
        Assert.Equal(5_000, window.Received);
        Assert.Equal(window.Records.Keys.Order(), again.Records.Keys.Order());
        Assert.InRange(window.Records.Values.Count(r => r.Actual == "yes"), 400, 600);
    }

    /// <summary>The values as elements of one JSON array (one document for all, so preparing them costs little).</summary>
    private static JsonElement[] Elements<T>(IEnumerable<T> values) =>
        JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(values.ToArray())).RootElement.EnumerateArray().ToArray();

    private static async IAsyncEnumerable<FeedbackRecord> Stream(IEnumerable<FeedbackRecord> records)
    {
        foreach (var record in records)
        {
            await Task.Yield();
            yield return record;
        }
    }

    private static MonitoringReport Judge(IReadOnlyList<InferenceLogRecord> rows, WindowLimits limits, ulong seed)
    {
        var window = new WindowAccumulator(Baseline(), Manifest, FeedbackWindow.Empty, limits, new RowSampler(seed));
        foreach (var row in rows)
        {
            window.Add(row);
        }

        return window.Build("run-1", "churn", "1", Now.AddHours(-24), Now, Now, new MonitoringOptions());
    }

    private static InferenceLogRecord Record(string id, double age, string city) => new()
    {
        RequestId = id,
        Row = 0,
        Model = "churn",
        Version = "1",
        TimestampUtc = Now.AddMinutes(-5),
        LatencyMs = age / 10,
        Status = "ok",
        Source = "predict",
        Label = "yes",
        Probability = 0.7,
        Features = new Dictionary<string, JsonElement>
        {
            ["age"] = JsonSerializer.SerializeToElement(age),
            ["income"] = JsonSerializer.SerializeToElement(age * 1000),
            ["city"] = JsonSerializer.SerializeToElement(city),
        },
    };

    /// <summary>2,000 reference rows: age 20–79, income, three cities.</summary>
    private static DatasetBaseline Baseline()
    {
        var age = new BaselineBuilder("age", numeric: true);
        var income = new BaselineBuilder("income", numeric: true);
        var city = new BaselineBuilder("city", numeric: false);
        for (var i = 0; i < 2_000; i++)
        {
            age.AddNumber(20 + (i % 60));
            income.AddNumber((20 + (i % 60)) * 1000);
            city.AddText(Cities[i % 3]);
        }

        return new DatasetBaseline { Rows = 2_000, Features = [age.Build(), income.Build(), city.Build()] };
    }
}
