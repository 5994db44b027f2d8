using Serverless.Core.Monitoring.Variants;

namespace Serverless.Tests.Monitoring.Variants;

/// <summary>
/// The variant statistics against textbook examples and SciPy 1.10.1 (numbers printed by reference_values.py beside this
/// file; the comments say which line).
/// </summary>
public sealed class VariantStatisticsTests
{
    [Theory]
    // Newcombe (1998), single proportion, Table I: 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605.
    [InlineData(81, 263, 0.2552885198782742, 0.36620957698280004)]
    [InlineData(15, 148, 0.0623863995307363, 0.16048724172330803)]
    // Boundaries: the Wilson interval is not empty at 0 % or 100 %.
    [InlineData(0, 20, 0.0, 0.16112515805281938)]
    [InlineData(20, 20, 0.8388748419471806, 1.0)]
    public void Wilson_TextbookCounts_GiveThePublishedInterval(long successes, long trials, double low, double high)
    {
        var estimate = Proportions.Wilson(successes, trials);

        Assert.Equal((double)successes / trials, estimate.Value, 15);
        Assert.Equal(low, estimate.Low, 12);
        Assert.Equal(high, estimate.High, 12);
    }

    [Fact]
    public void Wilson_NoTrials_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.Wilson(0, 0));

    [Theory]
    // Newcombe (1998), difference of proportions, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339.
    // z and p: two_proportions(56, 70, 48, 80) in reference_values.py (pooled z; statsmodels' proportions_ztest gives the same).
    [InlineData(56, 70, 48, 80, 0.2, 0.05243147240236498, 0.333872654036906, 2.6501719512585336, 0.00804508136819656)]
    [InlineData(870, 1000, 820, 1000, 0.05, 0.018291796140540502, 0.08168404955551736, 3.08930511116346, 0.0020062528510085245)]
    [InlineData(450, 500, 440, 500, 0.02, -0.01901659275133607, 0.059129621229850465, 1.0106683232657037, 0.3121752029650505)]
    public void TwoProportions_KnownCounts_MatchNewcombeAndSciPy(long x1, long n1, long x2, long n2, double difference, double low, double high, double z, double p)
    {
        var test = Proportions.Compare(x1, n1, x2, n2);

        Assert.Equal(Proportions.ZTest, test.Method);
        Assert.Equal(difference, test.Difference, 12);
        Assert.Equal(low, test.Low, 12);
        Assert.Equal(high, test.High, 12);
        Assert.Equal(z, test.Statistic!.Value, 10);
        Assert.Equal(p, test.PValue, 10);
    }

    [Fact]
    public void TwoProportions_NoFailuresOnEitherSide_HasNoStatisticAndPValueOne()
    {
        var test = Proportions.Compare(0, 500, 0, 80);

        Assert.Null(test.Statistic);
        Assert.Equal(1, test.PValue);
        Assert.Equal(0, test.Difference);
        Assert.True(test.Low < 0 && test.High > 0, $"[{test.Low}, {test.High}]");
    }

    [Fact]
    public void Welch_WikipediaExample_MatchesSciPy()
    {
        // welch A1 A2 in reference_values.py: scipy.stats.ttest_ind(A1, A2, equal_var=False) and the t interval at the Welch df.
        var test = WelchTest.Compare(Moments.Of(A1), Moments.Of(A2));

        Assert.Equal(WelchTest.Method, test.Method);
        Assert.Equal(-2.166666666666668, test.Difference, 12);
        Assert.Equal(-2.455356398286006, test.Statistic!.Value, 10);
        Assert.Equal(24.988529290231416, test.DegreesOfFreedom!.Value, 9);
        Assert.Equal(0.021378001462866985, test.PValue, 10);
        Assert.Equal(-3.9840962671409264, test.Low, 9);
        Assert.Equal(-0.34923706619240935, test.High, 9);
    }

    [Fact]
    public void Welch_BothSamplesConstant_HasNoStatisticAndDecidesOnTheMeans()
    {
        var same = WelchTest.Compare(Moments.Of([2, 2, 2]), Moments.Of([2, 2]));
        var apart = WelchTest.Compare(Moments.Of([3, 3, 3]), Moments.Of([2, 2]));

        Assert.Null(same.Statistic);
        Assert.Equal(1, same.PValue);
        Assert.Null(apart.Statistic);
        Assert.Equal(0, apart.PValue);
        Assert.Equal(1, apart.Difference);
    }

    [Fact]
    public void MeanInterval_WikipediaSample_IsTheStudentTInterval()
    {
        // mean interval A1: mean ± t.ppf(0.975, 14)·s/√15.
        var interval = Moments.Of(A1).MeanInterval();

        Assert.Equal(20.819999999999997, interval.Value, 12);
        Assert.Equal(19.266701652451875, interval.Low, 10);
        Assert.Equal(22.37329834754812, interval.High, 10);
    }

    [Fact]
    public void Moments_MillionsOfLargeValues_KeepTheirVariance()
    {
        var moments = new Moments();
        for (var i = 0; i < 1_000_000; i++)
        {
            moments.Add(1e9 + (i % 2));
        }

        Assert.Equal(1e9 + 0.5, moments.Mean, 6);
        Assert.Equal(0.25 * 1_000_000 / 999_999, moments.Variance, 9);
    }

    [Theory]
    // t.ppf(0.975, df) in reference_values.py; 12.706, 4.303, 2.571, 2.228, 2.042 are the printed table's.
    [InlineData(1, 12.706204736432095)]
    [InlineData(2, 4.302652729911275)]
    [InlineData(5, 2.5705818366147395)]
    [InlineData(10, 2.2281388519649385)]
    [InlineData(30, 2.0422724563012373)]
    [InlineData(24.9885, 2.0595866138349748)]
    [InlineData(1000, 1.9623390808264074)]
    public void TQuantile_MatchesTheTable(double df, double expected)
    {
        var quantile = StudentT.Quantile(0.975, df);

        // SciPy 1.10's t.ppf is itself off by up to ~1e-9 (df 5: its tail at its own quantile is 0.04999999994), so the
        // table is held to 8 places and the quantile to its defining property.
        Assert.Equal(expected, quantile, 8);
        Assert.Equal(0.05, StudentT.TwoSidedTail(quantile, df), 12);
    }

    [Theory]
    // 2*t.sf(t, df) in reference_values.py.
    [InlineData(2.0, 5, 0.10193947882985828)]
    [InlineData(1.0, 1, 0.49999999999999956)]
    [InlineData(3.5, 12.5, 0.004135141045761278)]
    [InlineData(0.5, 100, 0.6181735658308867)]
    [InlineData(8.0, 3, 0.004076577587785467)]
    [InlineData(-2.0, 5, 0.10193947882985828)]
    public void TTwoSidedTail_MatchesSciPy(double t, double df, double expected) =>
        Assert.Equal(expected, StudentT.TwoSidedTail(t, df), 12);

    [Fact]
    public void RegularizedBeta_MatchesSciPy() =>
        Assert.Equal(0.4869041915261175, StudentT.RegularizedBeta(2.5, 3.5, 0.4), 12);

    [Theory]
    [InlineData(0.01, 0.03, true, Verdicts.Better)]
    [InlineData(0.01, -0.03, true, Verdicts.Worse)]
    [InlineData(0.01, 0.03, false, Verdicts.Worse)]
    [InlineData(0.01, -0.03, false, Verdicts.Better)]
    [InlineData(0.05, 0.03, true, Verdicts.NoSignificantDifference)]
    [InlineData(0.2, -0.03, false, Verdicts.NoSignificantDifference)]
    public void Verdict_FollowsThePValueAndTheMetricsDirection(double p, double difference, bool higherIsBetter, string expected) =>
        Assert.Equal(expected, Verdicts.Of(new DifferenceTest("t", difference, difference - 0.01, difference + 0.01, 2, null, p), higherIsBetter));

    private static readonly double[] A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];

    private static readonly double[] A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
}
