using Serverless.Core.Monitoring.Drift.Statistics;

namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// Student's t distribution for the Welch test and the t intervals of a mean: the two-sided tail probability (SciPy's
/// <c>2 * t.sf(|t|, df)</c>) from the regularised incomplete beta function, and the quantile by bisection on it (SciPy's
/// <c>t.ppf</c>). Any real degrees of freedom &gt; 0 (Welch–Satterthwaite gives fractional ones). About 1e-12 relative.
/// Pure functions; thread-safe.
/// </summary>
public static class StudentT
{
    private const int MaxIterations = 300;

    /// <summary>P(|T| ≥ |<paramref name="t"/>|) for T with <paramref name="degreesOfFreedom"/> degrees of freedom.</summary>
    public static double TwoSidedTail(double t, double degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degreesOfFreedom);
        if (double.IsNaN(t))
        {
            return double.NaN;
        }

        if (double.IsInfinity(t))
        {
            return 0;
        }

        // P(|T| ≥ t) = I_x(ν/2, 1/2) with x = ν / (ν + t²).
        var x = degreesOfFreedom / (degreesOfFreedom + (t * t));
        return Math.Clamp(RegularizedBeta(degreesOfFreedom / 2, 0.5, x), 0, 1);
    }

    /// <summary>The quantile q with P(T ≤ q) = <paramref name="probability"/>, for 0.5 ≤ probability &lt; 1 (the upper half the intervals need).</summary>
    public static double Quantile(double probability, double degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degreesOfFreedom);
        if (probability is < 0.5 or >= 1 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The quantile is computed for 0.5 ≤ p < 1.");
        }

        var tail = 2 * (1 - probability);
        double low = 0, high = 1;
        while (TwoSidedTail(high, degreesOfFreedom) > tail)
        {
            high *= 2;
        }

        for (var i = 0; i < 200 && high - low > 1e-13 * Math.Max(1, high); i++)
        {
            var middle = (low + high) / 2;
            if (TwoSidedTail(middle, degreesOfFreedom) > tail)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return (low + high) / 2;
    }

    /// <summary>The regularised incomplete beta function I_x(a, b), a, b &gt; 0, 0 ≤ x ≤ 1 (SciPy's <c>betainc</c>).</summary>
    public static double RegularizedBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(SpecialFunctions.LogGamma(a + b) - SpecialFunctions.LogGamma(a) - SpecialFunctions.LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - (front * BetaContinuedFraction(b, a, 1 - x) / b);
    }

    /// <summary>The continued fraction of the incomplete beta function, by the modified Lentz method.</summary>
    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        var c = 1.0;
        var d = 1 - ((a + b) * x / (a + 1));
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        var h = d;
        for (var m = 1; m <= MaxIterations; m++)
        {
            var m2 = 2 * m;
            var even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + (even * d);
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + (even / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            h *= d * c;
            var odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + (odd * d);
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + (odd / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }
}
