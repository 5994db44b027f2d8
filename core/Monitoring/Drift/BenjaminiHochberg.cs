namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// Benjamini–Hochberg step-up adjustment controlling the false discovery rate: with the m p-values sorted
/// ascending, p̃₍ᵢ₎ = min_{j ≥ i} min(1, p₍ⱼ₎ · m / j) (R's <c>p.adjust(method = "BH")</c>, statsmodels'
/// <c>fdr_bh</c>). Pure; thread-safe.
/// </summary>
public static class BenjaminiHochberg
{
    /// <summary>The adjusted p-values, in the input's order.</summary>
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ThenBy(i => i).ToArray();
        var adjusted = new double[m];
        var running = 1.0;
        for (var rank = m; rank >= 1; rank--)
        {
            var index = order[rank - 1];
            running = Math.Min(running, Math.Min(1.0, pValues[index] * m / rank));
            adjusted[index] = running;
        }

        return adjusted;
    }
}
