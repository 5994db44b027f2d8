namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// Welch's unequal-variances t-test of two means (SciPy's <c>ttest_ind(a, b, equal_var=False)</c>), with the
/// Welch–Satterthwaite degrees of freedom and the 95 % t interval of the difference of means. Regression variants are
/// compared with it on their absolute errors rather than with Mann–Whitney: it tests the MAE itself, with an interval in
/// the metric's units, where Mann–Whitney tests a shift of the distributions; it needs only count, mean and variance
/// (<see cref="Moments"/>: constant memory per version, exact over every labelled row) where Mann–Whitney ranks every
/// value; it assumes neither equal variances nor equal sizes (a 90/10 split); and with the minimum labelled rows the
/// mean of skewed errors is near enough to normal. Pure; thread-safe.
/// </summary>
public static class WelchTest
{
    public const string Method = "welch_t";

    /// <summary>
    /// Compares the means of <paramref name="first"/> and <paramref name="second"/> (each at least two values): the
    /// difference first − second. When neither sample varies the statistic is undefined: null, and the p-value 1 when the
    /// means are equal, 0 when they differ.
    /// </summary>
    public static DifferenceTest Compare(Moments first, Moments second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentOutOfRangeException.ThrowIfLessThan(first.Count, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(second.Count, 2);
        var difference = first.Mean - second.Mean;
        var v1 = first.Variance / first.Count;
        var v2 = second.Variance / second.Count;
        var se2 = v1 + v2;
        if (se2 == 0)
        {
            return new DifferenceTest(Method, difference, difference, difference, null, null, difference == 0 ? 1 : 0);
        }

        var df = se2 * se2 / ((v1 * v1 / (first.Count - 1)) + (v2 * v2 / (second.Count - 1)));
        var se = Math.Sqrt(se2);
        var t = difference / se;
        var half = StudentT.Quantile(0.975, df) * se;
        return new DifferenceTest(Method, difference, difference - half, difference + half, t, df, StudentT.TwoSidedTail(t, df));
    }
}
