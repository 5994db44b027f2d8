using Serverless.Core.Models;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Monitoring.Variants;
using Serverless.Core.Training;

namespace Serverless.Tests.Monitoring.Variants;

/// <summary>The side-by-side comparison assembled from version windows: which versions, the champion, the tests and verdicts.</summary>
public sealed class VariantComparerTests
{
    [Fact]
    public void Build_ChallengerClearlyLessAccurate_IsWorseOnAccuracyAndBesideTheChampion()
    {
        var data = new VariantData();
        var windows = new Dictionary<string, VariantWindow>
        {
            ["1"] = data.Window(VariantData.Binary, data.Classified("1", 400, right: 360)).Variant(),
            ["2"] = data.Window(VariantData.Binary, data.Classified("2", 100, right: 60)).Variant(),
        };

        var report = VariantComparer.Build([VariantData.Split("production", ("1", 90), ("2", 10))], windows, [], 30, 30)!;

        var comparison = Assert.Single(report.Comparisons);
        Assert.Equal(("production", "1", MetricNames.Accuracy), (comparison.Alias, comparison.Champion, comparison.Metric));
        Assert.Equal(["1", "2"], comparison.Versions.Select(v => v.Version));
        var (champion, challenger) = (comparison.Versions[0], comparison.Versions[1]);
        Assert.Equal((VariantFigures.ChampionRole, 90, 400L, 400L), (champion.Role, champion.Weight, champion.Requests, champion.LabelledRows));
        Assert.Null(champion.MetricTest);
        Assert.Equal(0.9, champion.Live!.Value, 12);
        Assert.Equal(Proportions.Wilson(60, 100), challenger.Live);
        var test = challenger.MetricTest!;
        Assert.Equal(Verdicts.Worse, test.Verdict);
        Assert.Equal(Proportions.ZTest, test.Method);
        Assert.Equal(-0.3, test.Difference!.Value, 12);
        Assert.True(test.PValue < 1e-6, $"p = {test.PValue}");
        Assert.True(test.High < 0, $"[{test.Low}, {test.High}]");
        Assert.Equal(Verdicts.NoSignificantDifference, challenger.ErrorRateTest!.Verdict);
    }

    [Fact]
    public void Build_ChallengerWithFewLabelledRows_IsNotEnoughRowsNamingTheCounts()
    {
        var data = new VariantData();
        var windows = new Dictionary<string, VariantWindow>
        {
            ["1"] = data.Window(VariantData.Binary, data.Classified("1", 100, right: 90)).Variant(),
            ["2"] = data.Window(VariantData.Binary, [.. data.Classified("2", 10, right: 1), .. Enumerable.Range(0, 40).Select(i => VariantData.Served("2", $"unlabelled-{i}", "1"))]).Variant(),
        };

        var test = VariantComparer.Build([VariantData.Split("production", ("1", 50), ("2", 50))], windows, [], 30, 30)!.Comparisons[0].Versions[1].MetricTest!;

        Assert.Equal(Verdicts.NotEnoughRows, test.Verdict);
        Assert.Null(test.PValue);
        Assert.Contains("the challenger has 10 and the champion 100", test.Note);
    }

    [Fact]
    public void Build_Regression_ComparesMeanAbsoluteErrorsWithWelch()
    {
        var data = new VariantData();
        var windows = new Dictionary<string, VariantWindow>
        {
            ["3"] = data.Window(VariantData.Regression, data.Regressed("3", 200, i => 2 + (i % 5))).Variant(),
            ["4"] = data.Window(VariantData.Regression, data.Regressed("4", 200, i => 1 + (i % 3))).Variant(),
        };

        var comparison = VariantComparer.Build([VariantData.Split("production", ("3", 80), ("4", 20))], windows, [], 30, 30)!.Comparisons[0];

        Assert.Equal(MetricNames.Mae, comparison.Metric);
        var challenger = comparison.Versions[1];
        Assert.Equal(1.995, challenger.Live!.Value, 12);
        Assert.Equal(4.0, comparison.Versions[0].Live!.Value, 12);
        Assert.Equal(Math.Sqrt(((1 * 67) + (4 * 67) + (9 * 66)) / 200.0), challenger.Rmse!.Value, 12);
        var test = challenger.MetricTest!;
        Assert.Equal((WelchTest.Method, Verdicts.Better), (test.Method, test.Verdict));
        Assert.NotNull(test.DegreesOfFreedom);
        Assert.True(test.Difference < 0 && test.High < 0);
    }

    [Fact]
    public void Build_ChallengerFailingMore_IsWorseOnTheErrorRate()
    {
        var data = new VariantData();
        var windows = new Dictionary<string, VariantWindow>
        {
            ["1"] = data.Window(VariantData.Binary, [.. data.Classified("1", 300, 270), VariantData.Failed("1", "f1")]).Variant(),
            ["2"] = data.Window(VariantData.Binary, [.. data.Classified("2", 80, 72), .. Enumerable.Range(0, 20).Select(i => VariantData.Failed("2", $"f2-{i}"))]).Variant(),
        };

        var challenger = VariantComparer.Build([VariantData.Split("production", ("1", 90), ("2", 10))], windows, [], 30, 30)!.Comparisons[0].Versions[1];

        Assert.Equal((100L, 20L), (challenger.Requests, challenger.Errors));
        Assert.Equal(0.2, challenger.ErrorRate!.Value, 12);
        Assert.Equal(Verdicts.Worse, challenger.ErrorRateTest!.Verdict);
        Assert.Equal(Verdicts.NoSignificantDifference, challenger.MetricTest!.Verdict);
    }

    [Fact]
    public void Build_WeightZeroAndFormerVersions_AreComparedOnlyWhenTheyServed()
    {
        var data = new VariantData();
        var windows = new Dictionary<string, VariantWindow>
        {
            ["1"] = data.Window(VariantData.Binary, data.Classified("1", 50, 45)).Variant(),
            ["2"] = data.Window(VariantData.Binary, data.Classified("2", 40, 20)).Variant(),
            ["3"] = data.Window(VariantData.Binary, []).Variant(),
            ["5"] = data.Window(VariantData.Binary, data.Classified("5", 10, 5)).Variant(),
            ["6"] = data.Window(VariantData.Binary, []).Variant(),
        };
        var rolledBack = new AliasVariants("production", new AliasTraffic([new TrafficShare("1", 100), new TrafficShare("2", 0), new TrafficShare("3", 0)], "x-routing-key"), ["5", "6"]);

        var comparison = VariantComparer.Build([rolledBack], windows, [], 30, 30)!.Comparisons[0];

        Assert.Equal(["1", "2", "5"], comparison.Versions.Select(v => v.Version));
        Assert.Equal([100, 0, null], comparison.Versions.Select(v => v.Weight));
    }

    [Fact]
    public void Build_OneVersionAliasNoMirror_IsNull()
    {
        var data = new VariantData();
        var windows = new Dictionary<string, VariantWindow> { ["1"] = data.Window(VariantData.Binary, data.Classified("1", 50, 45)).Variant() };

        Assert.Null(VariantComparer.Build([new AliasVariants("production", AliasTraffic.Single("1"), [])], windows, [], 30, 30));
        Assert.Null(VariantComparer.Build([VariantData.Split("canary", ("1", 100), ("2", 0))], windows, [], 30, 30));
    }

    [Fact]
    public void Build_TwoAliases_EachTestsAgainstItsOwnChampion()
    {
        var data = new VariantData();
        var windows = new Dictionary<string, VariantWindow>
        {
            ["1"] = data.Window(VariantData.Binary, data.Classified("1", 100, 90)).Variant(),
            ["2"] = data.Window(VariantData.Binary, data.Classified("2", 100, 60)).Variant(),
        };

        var report = VariantComparer.Build([VariantData.Split("staging", ("1", 10), ("2", 90)), VariantData.Split("production", ("1", 90), ("2", 10))], windows, [], 30, 30)!;

        Assert.Equal(["production", "staging"], report.Comparisons.Select(c => c.Alias));
        Assert.Equal(["1", "2"], report.Comparisons.Select(c => c.Champion));
        Assert.Equal(Verdicts.Worse, report.Comparisons[0].Versions[1].MetricTest!.Verdict);
        Assert.Equal(Verdicts.Better, report.Comparisons[1].Versions[1].MetricTest!.Verdict);
    }

    [Fact]
    public void Build_ChampionWithoutManifest_HasNoMetricButComparesErrorRates()
    {
        var windows = new Dictionary<string, VariantWindow>
        {
            ["1"] = new(new ServiceHealth(100, 1, 0.01, 5, 9, 12), null),
            ["2"] = new(new ServiceHealth(100, 30, 0.3, 5, 9, 12), null),
        };

        var challenger = VariantComparer.Build([VariantData.Split("production", ("1", 50), ("2", 50))], windows, [], 30, 30)!.Comparisons[0];

        Assert.Null(challenger.Metric);
        Assert.Null(challenger.Versions[1].MetricTest);
        Assert.Equal(Verdicts.Worse, challenger.Versions[1].ErrorRateTest!.Verdict);
    }
}
