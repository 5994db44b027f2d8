using System.Text.Json.Nodes;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Drift;
using static Serverless.Tests.Monitoring.Drift.DriftTestData;

namespace Serverless.Tests.Monitoring.Drift;

/// <summary>Overrides, Benjamini–Hochberg, the minimum window, dataset drift, baselines, JSON and errors.</summary>
public sealed class DriftEngineTests
{
    private static readonly DriftOptions NoMinimum = new() { MinimumCurrentRows = 0 };

    [Fact]
    public void Compare_KsFeature_ReportsScipyValuesAndDStatisticAsEffectSize()
    {
        var report = DriftEngine.Compare([new NumericColumn("x", Normals(41, 1000), 0)], [new NumericColumn("x", Normals(42, 800, 0.1), 0)], 1000, 800);

        var feature = Assert.Single(report.Features);
        Assert.Equal("ks", feature.Method);
        Pinned.Statistic(0.04725, feature.Statistic);
        Pinned.PValue(0.266003901347969, feature.PValue);
        Assert.Equal(feature.PValue, feature.AdjustedPValue);
        Assert.Equal(feature.Statistic, feature.EffectSize);
        Assert.False(feature.Drifted);
        Assert.Null(feature.Note);
    }

    [Fact]
    public void Compare_Overrides_ReplaceMethodAndThreshold()
    {
        var options = new DriftOptions
        {
            Overrides = new Dictionary<string, FeatureDriftOverride>
            {
                ["a"] = new() { Method = DriftMethod.Psi },
                ["b"] = new() { Threshold = 0.3 },
                ["c"] = new() { Method = DriftMethod.JensenShannon, Threshold = 0.01 },
            },
        };
        var reference = Normals(71, 2000, 10.0, 2.0);
        var current = Normals(72, 1500, 10.4, 2.0);
        DriftColumn[] referenceColumns = [new NumericColumn("a", reference, 0), new NumericColumn("b", reference, 0), new NumericColumn("c", reference, 0)];
        DriftColumn[] currentColumns = [new NumericColumn("a", current, 0), new NumericColumn("b", current, 0), new NumericColumn("c", current, 0)];

        var report = DriftEngine.Compare(referenceColumns, currentColumns, 2000, 1500, options);

        Assert.Equal(["psi", "wasserstein", "jensenshannon"], report.Features.Select(f => f.Method));
        Assert.Equal([0.1, 0.3, 0.01], report.Features.Select(f => f.Threshold));
        Pinned.Statistic(0.03865008690607522, report.Features[0].Statistic);
        Pinned.Statistic(0.16392010140840743, report.Features[1].Statistic);
        Pinned.Statistic(0.06920042348697308, report.Features[2].Statistic);
        Assert.Equal([false, false, true], report.Features.Select(f => f.Drifted));
    }

    [Fact]
    public void Compare_JensenShannonBase_CanBeTwoAsEvidently()
    {
        var reference = new CategoricalColumn("colour", new Dictionary<string, long> { ["red"] = 500, ["green"] = 300, ["blue"] = 200, ["grey"] = 10 }, 0);
        var current = new CategoricalColumn("colour", new Dictionary<string, long> { ["red"] = 300, ["green"] = 300, ["blue"] = 350, ["pink"] = 50 }, 0);

        var natural = DriftEngine.Compare([reference], [current], 1010, 1000);
        var base2 = DriftEngine.Compare([reference], [current], 1010, 1000, new DriftOptions { JensenShannonBase = 2 });

        Assert.Equal("jensenshannon", natural.Features[0].Method);
        Pinned.Statistic(0.20862904346974698, natural.Features[0].Statistic);
        Pinned.Statistic(0.25058901923519544, base2.Features[0].Statistic);
        Assert.True(natural.Features[0].Drifted);
    }

    [Fact]
    public void Compare_OverrideOfUnknownFeatureOrNumericOnlyMethodOnCategories_Throws()
    {
        DriftColumn[] columns = [new CategoricalColumn("c", new Dictionary<string, long> { ["a"] = 5, ["b"] = 5 }, 0)];

        Assert.Throws<ArgumentException>(() => DriftEngine.Compare(columns, columns, 10, 10,
            new DriftOptions { Overrides = new Dictionary<string, FeatureDriftOverride> { ["nope"] = new() { Threshold = 0.1 } } }));
        var e = Assert.Throws<ArgumentException>(() => DriftEngine.Compare(columns, columns, 10, 10,
            new DriftOptions { Overrides = new Dictionary<string, FeatureDriftOverride> { ["c"] = new() { Method = DriftMethod.Ks } } }));
        Assert.Contains("'ks'", e.Message);
    }

    [Fact]
    public void Compare_BenjaminiHochberg_AdjustsTestedPValuesAndDecidesOnThem()
    {
        DriftColumn[] reference =
        [
            new NumericColumn("x", Integers(11, 20, 0, 6), 0),
            new NumericColumn("y", Normals(91, 20), 0),
            new NumericColumn("z", Normals(93, 20), 0),
        ];
        DriftColumn[] current =
        [
            new NumericColumn("x", Integers(12, 25, 2, 8), 0),
            new NumericColumn("y", Normals(92, 25), 0),
            new NumericColumn("z", Normals(94, 25), 0),
        ];

        var corrected = DriftEngine.Compare(reference, current, 20, 25, NoMinimum);
        var raw = DriftEngine.Compare(reference, current, 20, 25, NoMinimum with { BenjaminiHochberg = false });

        var pValues = corrected.Features.Select(f => f.PValue!.Value).ToArray();
        var adjusted = BenjaminiHochberg.Adjust(pValues);
        Assert.Equal(adjusted, corrected.Features.Select(f => f.AdjustedPValue!.Value));
        Pinned.PValue(0.01901592768895381, pValues[0]);
        Assert.True(raw.Features[0].Drifted);
        Assert.Null(raw.Features[0].AdjustedPValue);
        Assert.False(corrected.Features[0].Drifted);
        Assert.True(corrected.Features[0].AdjustedPValue >= 0.05);
        Assert.Equal(pValues, raw.Features.Select(f => f.PValue!.Value));
    }

    [Fact]
    public void Compare_WindowBelowMinimum_IsNotDecidedButStillMeasured()
    {
        DriftColumn[] reference = [new NumericColumn("x", Normals(1, 200), 0), new NumericColumn("y", Normals(3, 200), 0)];
        DriftColumn[] current = [new NumericColumn("x", Normals(2, 20, 3.0), 5), new NumericColumn("y", Normals(4, 40, 3.0), 0)];

        var report = DriftEngine.Compare(reference, current, 200, 40);

        var small = report.Features[0];
        Assert.False(small.Drifted);
        Assert.Equal("window too small (n < 30)", small.Note);
        Assert.Equal(20, small.NCurrent);
        Assert.NotNull(small.Statistic);
        Assert.True(small.PValue < 1e-6);
        Assert.Null(small.AdjustedPValue);
        Assert.True(report.Features[1].Drifted);
        Assert.Equal(report.Features[1].PValue, report.Features[1].AdjustedPValue);
    }

    [Fact]
    public void Compare_NoValues_IsNotedAndNotDrifted()
    {
        DriftColumn[] reference = [new NumericColumn("x", Normals(1, 100), 0)];
        DriftColumn[] current = [new NumericColumn("x", [], 50)];

        var feature = DriftEngine.Compare(reference, current, 100, 50).Features[0];

        Assert.False(feature.Drifted);
        Assert.Null(feature.Statistic);
        Assert.Equal("no values in the current window", feature.Note);
    }

    [Fact]
    public void Compare_DatasetDrift_WhenTheDriftedShareReachesTheThreshold()
    {
        DriftColumn[] reference = [new NumericColumn("a", Normals(1, 300), 0), new NumericColumn("b", Normals(2, 300), 0), new NumericColumn("c", Normals(3, 300), 0)];
        DriftColumn[] current = [new NumericColumn("a", Normals(4, 200, 1), 0), new NumericColumn("b", Normals(5, 200, 1), 0), new NumericColumn("c", Normals(6, 200), 0)];

        var report = DriftEngine.Compare(reference, current, 300, 200);
        var strict = DriftEngine.Compare(reference, current, 300, 200, new DriftOptions { DriftShareThreshold = 0.7 });

        Assert.Equal(2, report.DriftedCount);
        Assert.Equal(2.0 / 3, report.DriftShare, 12);
        Assert.True(report.DatasetDrift);
        Assert.False(strict.DatasetDrift);
        Assert.Equal(300, report.NReference);
        Assert.Equal(200, report.NCurrent);
    }

    [Fact]
    public void Compare_BaselineCategories_PoolUnlistedCurrentCategoriesIntoOther()
    {
        var builder = new BaselineBuilder("sku", numeric: false);
        for (var i = 0; i < 2000; i++)
        {
            builder.AddText($"sku-{i % 150}");
        }

        var baseline = new DatasetBaseline { Rows = 2000, Features = [builder.Build()] };
        var reference = Assert.IsType<CategoricalColumn>(Assert.Single(BaselineReference.Columns(baseline)));
        var current = new CategoricalColumn("sku", Enumerable.Range(0, 150).ToDictionary(i => $"sku-{i}", _ => 10L), 0);

        var report = DriftEngine.Compare([reference], [current], baseline.Rows, 1500);

        Assert.Equal(101, reference.Counts.Count);
        Assert.True(reference.Counts[CategoricalColumn.OtherCategory] > 0);
        Assert.Equal("jensenshannon", report.Features[0].Method);
        Assert.True(report.Features[0].Statistic < 0.05);
        Assert.False(report.Features[0].Drifted);
    }

    [Fact]
    public void Report_SerialisesSnakeCaseWithNullPValuesAndRoundTrips()
    {
        DriftColumn[] reference = [new NumericColumn("x", Normals(1, 2000), 0), new CategoricalColumn("c", new Dictionary<string, long> { ["a"] = 1000, ["b"] = 1000 }, 0)];
        DriftColumn[] current = [new NumericColumn("x", Normals(2, 100), 0), new CategoricalColumn("c", new Dictionary<string, long> { ["a"] = 50, ["b"] = 50 }, 0)];
        var options = new DriftOptions { Overrides = new Dictionary<string, FeatureDriftOverride> { ["c"] = new() { Method = DriftMethod.ChiSquare } } };
        var report = DriftEngine.Compare(reference, current, 2000, 100, options);

        var json = JsonNode.Parse(report.ToJson())!.AsObject();

        var x = json["features"]![0]!.AsObject();
        Assert.Equal("wasserstein", (string?)x["method"]);
        Assert.True(x.ContainsKey("p_value"));
        Assert.Null(x["p_value"]);
        Assert.True(x.ContainsKey("adjusted_p_value"));
        Assert.Equal("chisquare", (string?)json["features"]![1]!["method"]);
        Assert.NotNull(json["features"]![1]!["p_value"]);
        foreach (var key in new[] { "dataset_drift", "drift_share", "drifted_count", "n_reference", "n_current", "options" })
        {
            Assert.True(json.ContainsKey(key), key);
        }

        Assert.Equal("chisquare", (string?)json["options"]!["overrides"]!["c"]!["method"]);
        Assert.Equal(0.5, (double)json["options"]!["drift_share_threshold"]!);
        var back = DriftReport.FromJson(report.ToJson());
        Assert.Equal(report.Features, back.Features);
        Assert.Equal(DriftMethod.ChiSquare, back.Options.Overrides["c"].Method);
    }

    [Fact]
    public void Report_InfiniteChiSquareStatistic_Serialises()
    {
        var reference = new CategoricalColumn("c", new Dictionary<string, long> { ["a"] = 50, ["b"] = 50 }, 0);
        var current = new CategoricalColumn("c", new Dictionary<string, long> { ["a"] = 40, ["b"] = 50, ["new"] = 10 }, 0);

        var report = DriftEngine.Compare([reference], [current], 100, 100);

        Assert.Equal(double.PositiveInfinity, report.Features[0].Statistic);
        Assert.Equal(0, report.Features[0].PValue);
        Assert.True(report.Features[0].Drifted);
        Assert.Contains("\"Infinity\"", report.ToJson());
    }

    [Fact]
    public void Compare_InvalidInputs_Throw()
    {
        DriftColumn[] numeric = [new NumericColumn("x", [1.0, 2, 3], 0)];
        DriftColumn[] categorical = [new CategoricalColumn("x", new Dictionary<string, long> { ["a"] = 3 }, 0)];

        Assert.Throws<ArgumentException>(() => new NumericColumn("x", [1.0, double.NaN], 0));
        Assert.Throws<ArgumentException>(() => DriftEngine.Compare(numeric, categorical, 3, 3));
        Assert.Throws<ArgumentException>(() => DriftEngine.Compare(numeric, [new NumericColumn("y", [1.0], 0)], 3, 1));
        Assert.Throws<ArgumentException>(() => DriftEngine.Compare(numeric, numeric, 2, 3));
        Assert.Throws<ArgumentException>(() => DriftEngine.Compare(numeric, numeric, 3, 3, new DriftOptions { DriftShareThreshold = 2 }));
    }
}
