namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// The special functions the drift tests need and .NET lacks: log-gamma, the regularised incomplete gamma
/// functions, the complementary error function and the chi-square / normal tail probabilities built on them.
/// Double precision, about 1e-14 relative in the ranges the tests use. Pure functions; thread-safe.
/// </summary>
public static class SpecialFunctions
{
    private const double Epsilon = 1e-16;
    private const int MaxIterations = 100_000;

    // Lanczos approximation, g = 607/128, 15 terms (Godfrey's coefficients), relative error below 1e-15.
    private const double LanczosG = 607.0 / 128.0;

    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999999709182,
        57.156235665862923517,
        -59.597960355475491248,
        14.136097974741747174,
        -0.49191381609762019978,
        .33994649984811888699e-4,
        .46523628927048575665e-4,
        -.98374475304879564677e-4,
        .15808870322491248884e-3,
        -.21026444172410488319e-3,
        .21743961811521264320e-3,
        -.16431810653676389022e-3,
        .84418223983852743293e-4,
        -.26190838401581408670e-4,
        .36899182659531622704e-5,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (x <= 0 || double.IsNaN(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0.");
        }

        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = LanczosCoefficients[0];
        for (var i = 1; i < LanczosCoefficients.Length; i++)
        {
            sum += LanczosCoefficients[i] / (x + i);
        }

        var t = x + LanczosG + 0.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), a &gt; 0, x ≥ 0.</summary>
    public static double GammaQ(double a, double x)
    {
        if (double.IsPositiveInfinity(x))
        {
            return 0;
        }

        if (x <= 0)
        {
            return 1;
        }

        return x < a + 1 ? 1 - GammaPSeries(a, x) : GammaQContinuedFraction(a, x);
    }

    /// <summary>The regularised lower incomplete gamma function P(a, x) = 1 − Q(a, x).</summary>
    public static double GammaP(double a, double x)
    {
        if (double.IsPositiveInfinity(x))
        {
            return 1;
        }

        if (x <= 0)
        {
            return 0;
        }

        return x < a + 1 ? GammaPSeries(a, x) : 1 - GammaQContinuedFraction(a, x);
    }

    /// <summary>The chi-square survival function: P(X ≥ <paramref name="statistic"/>) for <paramref name="degreesOfFreedom"/> &gt; 0 (SciPy's <c>chi2.sf</c>).</summary>
    public static double ChiSquareSurvival(double statistic, double degreesOfFreedom) => GammaQ(degreesOfFreedom / 2, statistic / 2);

    /// <summary>erfc(x) = 1 − erf(x).</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        return x >= 0 ? GammaQ(0.5, x * x) : 1 + GammaP(0.5, x * x);
    }

    /// <summary>The standard normal two-sided tail 2·(1 − Φ(|z|)), computed as erfc(|z|/√2) so small tails keep their precision.</summary>
    public static double NormalTwoSidedTail(double z) => Math.Min(1.0, Erfc(Math.Abs(z) / Math.Sqrt(2)));

    private static double GammaPSeries(double a, double x)
    {
        var term = 1.0 / a;
        var sum = term;
        var ap = a;
        for (var i = 0; i < MaxIterations; i++)
        {
            ap += 1;
            term *= x / ap;
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon)
            {
                break;
            }
        }

        return sum * Math.Exp((a * Math.Log(x)) - x - LogGamma(a));
    }

    private static double GammaQContinuedFraction(double a, double x)
    {
        // Modified Lentz's method for the continued fraction of Γ(a, x).
        const double tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return Math.Exp((a * Math.Log(x)) - x - LogGamma(a)) * h;
    }
}
