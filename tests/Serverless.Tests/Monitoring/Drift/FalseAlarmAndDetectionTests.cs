using Serverless.Core.Monitoring.Drift;
using static Serverless.Tests.Monitoring.Drift.DriftTestData;

namespace Serverless.Tests.Monitoring.Drift;

/// <summary>Behaviour on data with a known answer: the false-alarm rate under no drift, and detection of real shifts.</summary>
public sealed class FalseAlarmAndDetectionTests
{
    [Fact]
    public void Ks_SameDistribution_FalseAlarmRateIsAtMostNominal()
    {
        const int pairs = 200;
        var random = new Random(20261128);
        var alarms = 0;
        for (var i = 0; i < pairs; i++)
        {
            var reference = Gaussian(random, 200, 0);
            var current = Gaussian(random, 120, 0);

            var report = DriftEngine.Compare([new NumericColumn("x", reference, 0)], [new NumericColumn("x", current, 0)], 200, 120);

            Assert.Equal("ks", report.Features[0].Method);
            alarms += report.Features[0].Drifted ? 1 : 0;
        }

        // Nominal 5 %, plus three binomial standard deviations (√(0.05·0.95/200) ≈ 1.5 %) of slack.
        var rate = (double)alarms / pairs;
        Assert.True(rate <= 0.05 + (3 * Math.Sqrt(0.05 * 0.95 / pairs)), $"false alarm rate {rate:P1}");
    }

    [Fact]
    public void ShiftedMean_IsDetected_SmallAndLargeReference()
    {
        var small = DriftEngine.Compare([new NumericColumn("x", Normals(1, 500), 0)], [new NumericColumn("x", Normals(2, 300, 0.5), 0)], 500, 300);
        var large = DriftEngine.Compare([new NumericColumn("x", Normals(3, 5000), 0)], [new NumericColumn("x", Normals(4, 2000, 0.3), 0)], 5000, 2000);
        var same = DriftEngine.Compare([new NumericColumn("x", Normals(5, 5000), 0)], [new NumericColumn("x", Normals(6, 2000), 0)], 5000, 2000);

        Assert.Equal("ks", small.Features[0].Method);
        Assert.True(small.Features[0].Drifted);
        Assert.True(small.DatasetDrift);
        Assert.Equal("wasserstein", large.Features[0].Method);
        Assert.True(large.Features[0].Drifted);
        Assert.InRange(large.Features[0].Statistic!.Value, 0.2, 0.4);
        Assert.False(same.Features[0].Drifted);
    }

    [Fact]
    public void ChangedCategoryMix_IsDetected_SmallAndLargeReference()
    {
        var before = new Dictionary<string, long> { ["a"] = 250, ["b"] = 150, ["c"] = 100 };
        var after = new Dictionary<string, long> { ["a"] = 100, ["b"] = 150, ["c"] = 250 };
        var sameMix = new Dictionary<string, long> { ["a"] = 248, ["b"] = 152, ["c"] = 100 };
        var beforeLarge = before.ToDictionary(p => p.Key, p => p.Value * 10);

        var small = DriftEngine.Compare([new CategoricalColumn("c", before, 0)], [new CategoricalColumn("c", after, 0)], 500, 500);
        var large = DriftEngine.Compare([new CategoricalColumn("c", beforeLarge, 0)], [new CategoricalColumn("c", after, 0)], 5000, 500);
        var unchanged = DriftEngine.Compare([new CategoricalColumn("c", before, 0)], [new CategoricalColumn("c", sameMix, 0)], 500, 500);

        Assert.Equal("chisquare", small.Features[0].Method);
        Assert.True(small.Features[0].Drifted);
        Assert.InRange(small.Features[0].EffectSize!.Value, 0.25, 1);
        Assert.Equal("jensenshannon", large.Features[0].Method);
        Assert.True(large.Features[0].Drifted);
        Assert.False(unchanged.Features[0].Drifted);
    }

    [Fact]
    public void BinaryShareChange_IsDetectedByZTest()
    {
        var report = DriftEngine.Compare(
            [new CategoricalColumn("plan", new Dictionary<string, long> { ["free"] = 800, ["paid"] = 200 }, 0)],
            [new CategoricalColumn("plan", new Dictionary<string, long> { ["free"] = 300, ["paid"] = 200 }, 0)],
            1000,
            500);

        Assert.Equal("z", report.Features[0].Method);
        Assert.True(report.Features[0].Drifted);
        Assert.True(report.Features[0].EffectSize > 0.3);
    }

    private static double[] Gaussian(Random random, int n, double mean)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = mean + (Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
        }

        return values;
    }
}
