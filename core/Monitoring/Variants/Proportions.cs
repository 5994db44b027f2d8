using Serverless.Core.Monitoring.Drift.Statistics;

namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// Proportions (accuracy, error rate) at 95 %: the Wilson score interval of one proportion, and the comparison of two
/// by the two-proportion z-test (pooled standard error; SciPy-free form of statsmodels' <c>proportions_ztest</c>) with
/// Newcombe's hybrid score interval of the difference (his method 10, built from the two Wilson intervals: unlike the
/// Wald interval it stays inside [−1, 1] and is not empty at 0 % or 100 %). Pure functions; thread-safe.
/// </summary>
public static class Proportions
{
    /// <summary>The 0.975 quantile of the standard normal (SciPy's <c>norm.ppf(0.975)</c>).</summary>
    public const double Z95 = 1.959963984540054;

    public const string ZTest = "two_proportion_z";

    /// <summary>The share <paramref name="successes"/> / <paramref name="trials"/> with its Wilson score interval; trials &gt; 0.</summary>
    public static Estimate Wilson(long successes, long trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        var n = (double)trials;
        var p = successes / n;
        var z2 = Z95 * Z95;
        var denominator = 1 + (z2 / n);
        var centre = (p + (z2 / (2 * n))) / denominator;
        var half = Z95 * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n))) / denominator;
        return new Estimate(p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// Compares x1/n1 with x2/n2 (both n &gt; 0): the difference p1 − p2 with Newcombe's interval, z from the pooled
    /// proportion and its two-sided normal p-value. When neither sample varies the same way (all successes or all
    /// failures in both) z is undefined: statistic null, p-value 1.
    /// </summary>
    public static DifferenceTest Compare(long x1, long n1, long x2, long n2)
    {
        var first = Wilson(x1, n1);
        var second = Wilson(x2, n2);
        var difference = first.Value - second.Value;
        var low = difference - Math.Sqrt(Square(first.Value - first.Low) + Square(second.High - second.Value));
        var high = difference + Math.Sqrt(Square(first.High - first.Value) + Square(second.Value - second.Low));
        var pooled = (double)(x1 + x2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        if (se == 0)
        {
            return new DifferenceTest(ZTest, difference, low, high, null, null, 1);
        }

        var z = difference / se;
        return new DifferenceTest(ZTest, difference, low, high, z, null, SpecialFunctions.NormalTwoSidedTail(z));
    }

    private static double Square(double x) => x * x;
}
