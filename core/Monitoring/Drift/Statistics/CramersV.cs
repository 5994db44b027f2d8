namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// Cramér's V of the 2 × k contingency table (reference vs current by category): √(χ² / N) with χ² Pearson's
/// statistic of independence (no continuity correction) and N the total count — min(2, k) − 1 = 1. In [0, 1]:
/// 0 when the category mix is the same in both samples, 1 when they share no category. Pure; thread-safe.
/// </summary>
public static class CramersV
{
    public static double Compute(IReadOnlyList<long> reference, IReadOnlyList<long> current)
    {
        double referenceTotal = reference.Sum(), currentTotal = current.Sum();
        var total = referenceTotal + currentTotal;
        if (reference.Count < 2 || referenceTotal <= 0 || currentTotal <= 0)
        {
            return 0;
        }

        var chi2 = 0.0;
        for (var i = 0; i < reference.Count; i++)
        {
            double column = reference[i] + current[i];
            if (column == 0)
            {
                continue;
            }

            var expectedReference = column * referenceTotal / total;
            var expectedCurrent = column * currentTotal / total;
            chi2 += Math.Pow(reference[i] - expectedReference, 2) / expectedReference;
            chi2 += Math.Pow(current[i] - expectedCurrent, 2) / expectedCurrent;
        }

        return Math.Min(1.0, Math.Sqrt(chi2 / total));
    }
}
