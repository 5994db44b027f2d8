namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// The one-sided Kolmogorov–Smirnov (Smirnov) survival function Pr(Dₙ⁺ ≥ x), SciPy's <c>scipy.special.smirnov(n, x)</c>.
/// Same case analysis as SciPy's <c>cephes/kolmogorov.c</c> (x ≤ 1/n closed form, underflow cut-off, x ≥ 1 − 1/n
/// closed form, the e^{−(6nx+1)²/18n} approximation above n = 10⁶, else the Birnbaum–Tingey sum with the same
/// early termination); SciPy sums in double-double arithmetic, this sums log-space terms in double, which agrees
/// to about 1e-12 relative for the n the drift tests use. Pure; thread-safe.
/// </summary>
public static class Smirnov
{
    private const int MaxComputeN = 1_000_000;
    private const double MinLog = -708.3964185322641;
    private const double DoubleEpsilon = 2.220446049250313e-16;

    /// <summary>Pr(Dₙ⁺ ≥ x), n ≥ 1, 0 ≤ x ≤ 1.</summary>
    public static double Survival(int n, double x)
    {
        if (!(n > 0 && x >= 0.0 && x <= 1.0))
        {
            return double.NaN;
        }

        if (n == 1)
        {
            return 1 - x;
        }

        if (x == 0.0)
        {
            return 1.0;
        }

        if (x == 1.0)
        {
            return 0.0;
        }

        var nx = n * x;
        var nxfl = (int)Math.Floor(nx);
        var alpha = nx - nxfl;
        if (alpha >= 1)
        {
            nxfl++;
            alpha = 0;
        }

        var n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
        if (alpha == 0)
        {
            n1mxfl -= 1;
        }

        if (nxfl == 0 || (nxfl == 1 && alpha == 0))
        {
            var cdf = x * Math.Pow(1 + x, n - 1);
            return Math.Clamp(1 - cdf, 0, 1);
        }

        if (-2 * n * x * x < MinLog)
        {
            return 0;
        }

        if (nxfl >= n - 1)
        {
            return Math.Clamp(Math.Pow(1 - x, n), 0, 1);
        }

        if (n > MaxComputeN)
        {
            var logp = -Math.Pow((6.0 * n * x) + 1, 2) / 18.0 / n;
            // Maximise precision for small p-values, as SciPy does.
            return logp < -Math.Log(2) ? Math.Exp(logp) : 1 - (-Expm1(logp));
        }

        // Lower (Birnbaum–Tingey) sum: x · Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (1 − x − v/n)^(n−v) (x + v/n)^(v−1).
        var nTerms = n1mxfl + 1;
        var logBinomial = 0.0;
        var sum = 0.0;
        for (var v = 0; v < nTerms; v++)
        {
            var below = (((double)(n - v)) / n) - x;
            var above = (((double)v) / n) + x;
            var logTerm = logBinomial + ((n - v) * Math.Log(below)) + ((v - 1) * Math.Log(above));
            var term = Math.Exp(logTerm);
            sum += term;
            if (term != 0)
            {
                if (4.0 * (nTerms - v) * term < DoubleEpsilon * sum && v != nTerms - 1)
                {
                    break;
                }
            }
            else if (v > n / 2)
            {
                break;
            }

            logBinomial += Math.Log((double)(n - v) / (v + 1));
        }

        return Math.Clamp(x * sum, 0, 1);
    }

    private static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + (x * x / 2) + (x * x * x / 6) : Math.Exp(x) - 1;
}
