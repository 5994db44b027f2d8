namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// The Jensen–Shannon distance <c>scipy.spatial.distance.jensenshannon(p, q, base)</c>: p and q are normalised to
/// sum 1, m = (p + q)/2, distance = √((KL(p‖m) + KL(q‖m)) / 2) with KL in nats divided by ln(base); terms with a
/// zero share contribute 0 (<c>rel_entr</c>), so no smoothing is needed. In [0, √(ln 2 / ln base)]. Pure; thread-safe.
/// </summary>
public static class JensenShannon
{
    public static double Distance(IReadOnlyList<double> p, IReadOnlyList<double> q, double logBase = Math.E)
    {
        if (p.Count != q.Count || p.Count == 0)
        {
            throw new ArgumentException("The two distributions must be aligned and non-empty.");
        }

        double pSum = p.Sum(), qSum = q.Sum();
        double left = 0, right = 0;
        for (var i = 0; i < p.Count; i++)
        {
            var pi = p[i] / pSum;
            var qi = q[i] / qSum;
            var m = (pi + qi) / 2.0;
            left += RelativeEntropy(pi, m);
            right += RelativeEntropy(qi, m);
        }

        var js = left + right;
        if (logBase != Math.E)
        {
            js /= Math.Log(logBase);
        }

        return Math.Sqrt(js / 2.0);
    }

    /// <summary>SciPy's <c>rel_entr(x, y)</c>: x·ln(x/y) for x, y &gt; 0; 0 when x = 0.</summary>
    private static double RelativeEntropy(double x, double y)
    {
        if (x > 0 && y > 0)
        {
            return x * Math.Log(x / y);
        }

        return x == 0 && y >= 0 ? 0 : double.PositiveInfinity;
    }
}
