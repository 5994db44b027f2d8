namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// Evidently's <c>z_stat_test</c> (<c>proportions_diff_z_stat_ind</c> + <c>proportions_diff_z_test</c>, two-sided):
/// each value is coded 0 when it equals the first category in sorted order and 1 otherwise; with p₁, p₂ the shares
/// of 1s in the reference (n₁) and current (n₂) samples and the pooled share P = (p₁n₁ + p₂n₂)/(n₁ + n₂),
/// z = (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂)) and p = 2(1 − Φ(|z|)) (computed as erfc(|z|/√2)). When both samples
/// hold one and the same single value Evidently returns p = 1 (z = 0) without testing. Pure; thread-safe.
/// </summary>
public static class ProportionsZTest
{
    /// <summary>Runs the test from the number of values that are not the first category in each sample and the sample sizes.</summary>
    public static TestResult Evidently(long referenceOthers, long referenceTotal, long currentOthers, long currentTotal)
    {
        if (referenceTotal <= 0 || currentTotal <= 0)
        {
            throw new ArgumentException("Both samples of a z-test need at least one value.");
        }

        double n1 = referenceTotal, n2 = currentTotal;
        var p1 = referenceOthers / n1;
        var p2 = currentOthers / n2;
        var pooled = ((p1 * n1) + (p2 * n2)) / (n1 + n2);
        if (pooled <= 0 || pooled >= 1)
        {
            // One value in both samples: Evidently's early return.
            return new TestResult(0, 1);
        }

        var z = (p1 - p2) / Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        return new TestResult(z, SpecialFunctions.NormalTwoSidedTail(z));
    }

    /// <summary>Cohen's h for the same two shares, |2·asin√p₁ − 2·asin√p₂| (0 none, 0.2 small, 0.5 medium, 0.8 large).</summary>
    public static double CohensH(long referenceOthers, long referenceTotal, long currentOthers, long currentTotal)
    {
        var p1 = (double)referenceOthers / referenceTotal;
        var p2 = (double)currentOthers / currentTotal;
        return Math.Abs((2 * Math.Asin(Math.Sqrt(p1))) - (2 * Math.Asin(Math.Sqrt(p2))));
    }
}
