namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// The survival function of the two-sided one-sample Kolmogorov–Smirnov statistic Dₙ, Pr(Dₙ ≥ x), as SciPy's
/// <c>scipy.stats.kstwo.sf(x, n)</c> (<c>scipy/stats/_ksstats.py</c>, <c>_kolmogn(n, x, cdf=False)</c>): the
/// Simard–L'Ecuyer (2011) choice between Ruben–Gambino closed forms, the Durbin matrix (Marsaglia–Tsang–Wang),
/// Pomeranz's recursion, the Pelz–Good expansion and twice the one-sided Smirnov tail. SciPy evaluates a few
/// intermediate scalings in 80-bit <c>long double</c>; this port stays in <c>double</c> (differences ~1e-16).
/// Pure; thread-safe.
/// </summary>
public static partial class KolmogorovDistribution
{
    private const int E128 = 128;
    private static readonly double Ep128 = Math.ScaleB(1.0, E128);
    private static readonly double Em128 = Math.ScaleB(1.0, -E128);
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    private static readonly double[] StirlingCoefficients =
    [
        -2.955065359477124183e-2, 6.4102564102564102564e-3,
        -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];

    /// <summary>Pr(Dₙ ≥ x) for n ≥ 1.</summary>
    public static double Survival(int n, double x)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive.");
        }

        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x >= 1.0)
        {
            return 0.0;
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        var t = n * x;
        if (t <= 1.0)
        {
            if (t <= 0.5)
            {
                return 1.0;
            }

            double prob;
            if (n <= 140)
            {
                prob = 1.0;
                for (var i = 1; i <= n; i++)
                {
                    prob *= i * (1.0 / n) * ((2 * t) - 1);
                }
            }
            else
            {
                prob = Math.Exp(LogNFactorialDivNPowN(n) + (n * Math.Log((2 * t) - 1)));
            }

            return Clip(1.0 - prob);
        }

        if (t >= n - 1)
        {
            return Clip(2 * Math.Pow(1.0 - x, n));
        }

        if (x >= 0.5)
        {
            return Clip(2 * Smirnov.Survival(n, x));
        }

        var nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                return Clip(1.0 - Durbin(n, x));
            }

            if (nxSquared <= 4)
            {
                return Clip(1.0 - Pomeranz(n, x));
            }

            return Clip(2 * Smirnov.Survival(n, x));
        }

        if (nxSquared >= 370.0)
        {
            return 0.0;
        }

        if (nxSquared >= 2.2)
        {
            return Clip(2 * Smirnov.Survival(n, x));
        }

        double cdf;
        if (nxSquared >= 18.0)
        {
            cdf = 1.0;
        }
        else if (n <= 100000 && n * Math.Pow(x, 1.5) <= 1.4)
        {
            cdf = Durbin(n, x);
        }
        else
        {
            cdf = PelzGood(n, x);
        }

        return Clip(1.0 - cdf);
    }

    private static double Clip(double p) => Math.Clamp(p, 0.0, 1.0);

    /// <summary>ln(n! / nⁿ) by Stirling's series (SciPy's <c>_log_nfactorial_div_n_pow_n</c>).</summary>
    private static double LogNFactorialDivNPowN(int n)
    {
        var rn = 1.0 / n;
        var x = rn / n;
        var poly = 0.0;
        foreach (var c in StirlingCoefficients)
        {
            poly = (poly * x) + c;
        }

        return (Math.Log(n) / 2) - n + (Log2Pi / 2) + (rn * poly);
    }
}
