using Serverless.Core.Monitoring.Drift.Statistics;
using static Serverless.Tests.Monitoring.Drift.DriftTestData;

namespace Serverless.Tests.Monitoring.Drift;

/// <summary>ks_2samp / kstwo.sf / smirnov against SciPy 1.10.1 (numbers from reference_values.py).</summary>
public sealed class KolmogorovSmirnovTests
{
    public static TheoryData<string, double, double, bool> Samples => new()
    {
        // name, SciPy statistic, SciPy p-value, exact
        { "ks_5_7", 0.37142857142857144, 0.7373737373737375, true },
        { "ks_ties_20_25", 0.44, 0.01901592768895381, true },
        { "ks_equal_30_30", 0.3, 0.13500350250095441, true },
        { "ks_100_80", 0.0875, 0.8566568555200514, true },
        { "ks_1000_800", 0.04725, 0.266003901347969, true },
        { "ks_exact_10000_9000", 0.014944444444444444, 0.2378429845878906, true },
        { "ks_asymp_12000_11000", 0.005757575757575753, 0.9906924598734254, false },
        { "ks_asymp_1000_15000", 0.04293333333333338, 0.061170483982062374, false },
        { "ks_asymp_100_20000", 0.12679999999999997, 0.07340337882652184, false },
    };

    private static (double[] A, double[] B) Data(string name) => name switch
    {
        "ks_5_7" => (Ks5, Ks7),
        "ks_ties_20_25" => (Integers(11, 20, 0, 6), Integers(12, 25, 2, 8)),
        "ks_equal_30_30" => (Normals(21, 30), Normals(22, 30, 0.5)),
        "ks_100_80" => (Normals(31, 100), Normals(32, 80, 0.3)),
        "ks_1000_800" => (Normals(41, 1000), Normals(42, 800, 0.1)),
        "ks_exact_10000_9000" => (Normals(45, 10000), Normals(46, 9000, 0.03)),
        "ks_asymp_12000_11000" => (Normals(51, 12000), Normals(52, 11000, 0.02)),
        "ks_asymp_1000_15000" => (Normals(53, 1000), Normals(54, 15000, 0.05)),
        "ks_asymp_100_20000" => (Normals(55, 100), Normals(56, 20000, 0.2)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void TwoSample_EqualsScipyKs2samp(string name, double statistic, double pValue, bool exact)
    {
        var (a, b) = Data(name);

        var result = KolmogorovSmirnov.TwoSample(a, b);

        Pinned.Statistic(statistic, result.Statistic);
        Pinned.PValue(pValue, result.PValue);
        Assert.Equal(exact, result.Exact);
    }

    [Fact]
    public void TwoSample_IsSymmetricAndLeavesInputsUnsorted()
    {
        double[] a = [3, 1, 2];
        double[] b = [5, 4, 0.5, 6];

        var ab = KolmogorovSmirnov.TwoSample(a, b);
        var ba = KolmogorovSmirnov.TwoSample(b, a);

        Assert.Equal(ab.Statistic, ba.Statistic);
        Assert.Equal(ab.PValue, ba.PValue);
        Assert.Equal([3.0, 1, 2], a);
    }

    [Fact]
    public void TwoSample_IdenticalSamples_HasStatisticZeroAndPValueOne()
    {
        var result = KolmogorovSmirnov.TwoSample([1.0, 2, 2, 3], [3.0, 2, 2, 1]);

        Assert.Equal(0, result.Statistic);
        Assert.Equal(1, result.PValue);
    }

    public static TheoryData<int, double, double> KolmogorovSurvival => new()
    {
        // scipy.stats.kstwo.sf(x, n): every branch of _kolmogn
        { 5, 0.16, 0.997014016 },                      // Ruben–Gambino, t <= 1
        { 5, 0.6, 0.03008000000000001 },               // x >= 0.5: 2 * smirnov
        { 5, 0.35, 0.46975 },
        { 20, 0.12, 0.9031355120796009 },               // n <= 140, Durbin
        { 20, 0.3, 0.04306706665851623 },               // n <= 140, Pomeranz
        { 50, 0.1, 0.6623112704658186 },
        { 50, 0.2, 0.03143877776953241 },
        { 50, 0.35, 5.573523514803185e-06 },           // n <= 140, nx² > 4: smirnov
        { 100, 0.02, 0.999999999978262 },
        { 100, 0.1, 0.2526927570063874 },
        { 140, 0.05, 0.857648029765611 },
        { 141, 0.05, 0.8548456930096628 },              // n > 140, Pelz–Good
        { 141, 0.2, 2.0276784223976912e-05 },           // n > 140, nx² >= 2.2: smirnov
        { 300, 0.03, 0.9424664972633843 },
        { 500, 0.05, 0.15866260223815365 },
        { 1000, 0.01, 0.9999496745370611 },             // n > 140, Durbin
        { 1000, 0.03, 0.3226902143914636 },
        { 1000, 0.05, 0.013012074781090332 },
        { 5000, 0.004, 0.9999977369528622 },
        { 5000, 0.02, 0.03613941395325637 },
        { 1000, 0.6, 0.0 },                             // nx² >= 370
    };

    [Theory]
    [MemberData(nameof(KolmogorovSurvival))]
    public void KolmogorovDistribution_EqualsScipyKstwoSf(int n, double x, double expected)
    {
        Pinned.PValue(expected, KolmogorovDistribution.Survival(n, x));
        Assert.True(Math.Abs(KolmogorovDistribution.Survival(n, x) - expected) <= 1e-8 * Math.Max(expected, 1e-6));
    }

    [Theory]
    [InlineData(10, 0.3, 0.1354635556)]
    [InlineData(200, 0.1, 0.017055111658647187)]
    [InlineData(1000, 0.05, 0.006506037390545166)]
    [InlineData(1000, 0.2, 7.764314602125269e-36)]
    [InlineData(5000, 0.02, 0.01806981293722266)]
    public void Smirnov_EqualsScipySpecialSmirnov(int n, double x, double expected)
    {
        var actual = Smirnov.Survival(n, x);

        Assert.True(Math.Abs(actual - expected) <= 1e-10 * expected, $"expected {expected:R}, got {actual:R}");
    }
}
