using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Drift;
using static Serverless.Tests.Monitoring.Drift.DriftTestData;

namespace Serverless.Tests.Monitoring.Drift;

/// <summary>The default method choice (Evidently's <c>_get_default_stattest</c>) through the engine.</summary>
public sealed class MethodSelectionTests
{
    [Theory]
    [InlineData(true, 1000, 6, DriftMethod.Ks)]
    [InlineData(true, 1000, 5, DriftMethod.ChiSquare)]
    [InlineData(true, 1000, 3, DriftMethod.ChiSquare)]
    [InlineData(true, 1000, 2, DriftMethod.Z)]
    [InlineData(true, 1000, 1, DriftMethod.Z)]
    [InlineData(false, 10, 40, DriftMethod.ChiSquare)]
    [InlineData(false, 1000, 2, DriftMethod.Z)]
    [InlineData(true, 1001, 6, DriftMethod.Wasserstein)]
    [InlineData(true, 1001, 5, DriftMethod.JensenShannon)]
    [InlineData(true, 50_000, 2, DriftMethod.JensenShannon)]
    [InlineData(false, 1001, 2, DriftMethod.JensenShannon)]
    [InlineData(false, 1001, 50, DriftMethod.JensenShannon)]
    public void Select_FollowsEvidently(bool numeric, long referenceValues, long distinct, DriftMethod expected)
    {
        Assert.Equal(expected, DriftMethodSelector.Select(numeric, referenceValues, distinct));
    }

    [Fact]
    public void Engine_SmallReference_PicksKsChiSquareAndZ()
    {
        DriftColumn[] reference =
        [
            new NumericColumn("income", Normals(1, 500), 0),
            new NumericColumn("rooms", Integers(2, 500, 1, 4), 0),
            new NumericColumn("flag", Integers(3, 500, 0, 1), 0),
            new CategoricalColumn("city", new Dictionary<string, long> { ["oslo"] = 300, ["bergen"] = 150, ["tromso"] = 50 }, 0),
            new CategoricalColumn("plan", new Dictionary<string, long> { ["free"] = 400, ["paid"] = 100 }, 0),
        ];
        DriftColumn[] current =
        [
            new NumericColumn("income", Normals(4, 200), 0),
            new NumericColumn("rooms", Integers(5, 200, 1, 4), 0),
            new NumericColumn("flag", Integers(6, 200, 0, 1), 0),
            new CategoricalColumn("city", new Dictionary<string, long> { ["oslo"] = 120, ["bergen"] = 60, ["tromso"] = 20 }, 0),
            new CategoricalColumn("plan", new Dictionary<string, long> { ["free"] = 160, ["paid"] = 40 }, 0),
        ];

        var report = DriftEngine.Compare(reference, current, 500, 200);

        Assert.Equal(["ks", "chisquare", "z", "chisquare", "z"], report.Features.Select(f => f.Method));
        Assert.All(report.Features, f => Assert.Equal(0.05, f.Threshold));
        Assert.Equal(["numeric", "numeric", "numeric", "categorical", "categorical"], report.Features.Select(f => f.Type));
    }

    [Fact]
    public void Engine_LargeReference_PicksWassersteinAndJensenShannon()
    {
        DriftColumn[] reference =
        [
            new NumericColumn("income", Normals(1, 1001), 0),
            new NumericColumn("rooms", Integers(2, 1001, 1, 4), 0),
            new CategoricalColumn("plan", new Dictionary<string, long> { ["free"] = 800, ["paid"] = 201 }, 0),
        ];
        DriftColumn[] current =
        [
            new NumericColumn("income", Normals(4, 200), 0),
            new NumericColumn("rooms", Integers(5, 200, 1, 4), 0),
            new CategoricalColumn("plan", new Dictionary<string, long> { ["free"] = 160, ["paid"] = 40 }, 0),
        ];

        var report = DriftEngine.Compare(reference, current, 1001, 200);

        Assert.Equal(["wasserstein", "jensenshannon", "jensenshannon"], report.Features.Select(f => f.Method));
        Assert.All(report.Features, f => Assert.Equal(0.1, f.Threshold));
        Assert.All(report.Features, f => Assert.Null(f.PValue));
    }

    [Fact]
    public void Engine_CountsPresentReferenceValuesNotRows()
    {
        // 1,100 rows of which 200 are missing: 900 values, a "small" reference as Evidently drops NaN first.
        DriftColumn[] reference = [new NumericColumn("x", Normals(1, 900), 200)];
        DriftColumn[] current = [new NumericColumn("x", Normals(2, 100), 0)];

        var report = DriftEngine.Compare(reference, current, 1100, 100);

        Assert.Equal("ks", report.Features[0].Method);
        Assert.Equal(900, report.Features[0].NReference);
    }

    [Fact]
    public void Engine_DistinctValuesCountBothSamples()
    {
        // Three values in each sample but six together: Evidently counts the union, so KS.
        DriftColumn[] reference = [new NumericColumn("x", Integers(1, 100, 1, 3), 0)];
        DriftColumn[] current = [new NumericColumn("x", Integers(2, 100, 4, 6), 0)];

        var report = DriftEngine.Compare(reference, current, 100, 100);

        Assert.Equal("ks", report.Features[0].Method);
    }

    [Fact]
    public void Engine_BaselineReference_SelectsOnTheBaselineRowsNotItsSample()
    {
        var builder = new BaselineBuilder("x", numeric: true);
        foreach (var v in Normals(7, 5000, 10, 2))
        {
            builder.AddNumber(v);
        }

        var baseline = new DatasetBaseline { Rows = 5000, Features = [builder.Build()] };
        var reference = BaselineReference.Columns(baseline);

        var report = DriftEngine.Compare(reference, [new NumericColumn("x", Normals(8, 300, 10, 2), 0)], BaselineReference.Rows(baseline), 300);

        var numeric = Assert.IsType<NumericColumn>(reference[0]);
        Assert.Equal(1000, numeric.Values.Count);
        Assert.Equal(baseline.Features[0].StdDev, numeric.ReferenceStdDev);
        Assert.Equal("wasserstein", report.Features[0].Method);
        Assert.Equal(5000, report.Features[0].NReference);
        Assert.False(report.Features[0].Drifted);
    }
}
