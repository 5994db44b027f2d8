namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>The outcome of a test that has a p-value.</summary>
public readonly record struct TestResult(double Statistic, double PValue);

/// <summary>
/// Evidently's <c>chi_stat_test</c>: <c>scipy.stats.chisquare(f_obs, f_exp)</c> where, over the union of the
/// categories seen in either sample, f_obs are the current counts and f_exp the reference counts scaled by
/// n_current / n_reference (so both sum to n_current). Statistic Σ (f_obs − f_exp)² / f_exp, p-value
/// <c>chi2.sf(statistic, k − 1)</c>. A category absent from the reference but present in the current sample has
/// f_exp = 0, which makes the statistic +∞ and the p-value 0 (NumPy's division by zero; SciPy returns the same).
/// With a single category (k = 1, zero degrees of freedom, where SciPy gives NaN) this returns statistic 0, p = 1.
/// Pure; thread-safe.
/// </summary>
public static class ChiSquareTest
{
    /// <summary>Runs the test on aligned per-category counts (same category at the same index; every index non-zero in at least one).</summary>
    public static TestResult Evidently(IReadOnlyList<long> reference, IReadOnlyList<long> current)
    {
        if (reference.Count != current.Count || reference.Count == 0)
        {
            throw new ArgumentException("The reference and current counts must be aligned and non-empty.");
        }

        double referenceTotal = reference.Sum();
        double currentTotal = current.Sum();
        if (referenceTotal <= 0 || currentTotal <= 0)
        {
            throw new ArgumentException("Both samples of a chi-square test need at least one value.");
        }

        if (reference.Count == 1)
        {
            return new TestResult(0, 1);
        }

        var kNorm = currentTotal / referenceTotal;
        var statistic = 0.0;
        for (var i = 0; i < reference.Count; i++)
        {
            var expected = reference[i] * kNorm;
            var difference = current[i] - expected;
            statistic += difference * difference / expected;
        }

        if (double.IsNaN(statistic) || double.IsPositiveInfinity(statistic))
        {
            return new TestResult(double.PositiveInfinity, 0);
        }

        return new TestResult(statistic, SpecialFunctions.ChiSquareSurvival(statistic, reference.Count - 1));
    }
}
