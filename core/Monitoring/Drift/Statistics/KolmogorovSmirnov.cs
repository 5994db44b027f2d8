namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>The outcome of a two-sample Kolmogorov–Smirnov test.</summary>
/// <param name="Statistic">D = sup |F₁ − F₂|; in exact mode rounded to a multiple of 1/lcm(n₁, n₂) as SciPy does.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="Exact">True when the p-value is the exact distribution's, false when asymptotic.</param>
public readonly record struct KsResult(double Statistic, double PValue, bool Exact);

/// <summary>
/// The two-sided two-sample Kolmogorov–Smirnov test exactly as SciPy 1.10+'s
/// <c>scipy.stats.ks_2samp(data1, data2, alternative='two-sided', method='auto')</c> computes it: the exact
/// p-value (Hodges' lattice-path counting; <c>_compute_prob_outside_square</c> when n₁ = n₂, the
/// <c>_compute_outer_prob_inside_method</c> recursion of Viehmann otherwise) when max(n₁, n₂) ≤ 10,000, else —
/// or when the exact computation fails — the asymptotic <c>kstwo.sf(D, round(n₁n₂/(n₁+n₂)))</c>.
/// Ties are handled as SciPy does (ECDFs evaluated with right-continuous <c>searchsorted</c>).
/// Pure and deterministic; thread-safe.
/// </summary>
public static class KolmogorovSmirnov
{
    /// <summary>SciPy's <c>MAX_AUTO_N</c>: 'auto' tries the exact p-value when both samples are at most this large.</summary>
    public const int MaxAutoN = 10_000;

    /// <summary>Runs the test on finite samples (neither empty); the inputs are not modified.</summary>
    public static KsResult TwoSample(IReadOnlyList<double> data1, IReadOnlyList<double> data2)
    {
        if (data1.Count == 0 || data2.Count == 0)
        {
            throw new ArgumentException("Both samples of a Kolmogorov–Smirnov test need at least one value.");
        }

        var a = data1.ToArray();
        var b = data2.ToArray();
        Array.Sort(a);
        Array.Sort(b);
        var d = Statistic(a, b);
        return PValue(a.Length, b.Length, d);
    }

    /// <summary>D = max over all points of |ECDF₁ − ECDF₂| for sorted samples (SciPy's <c>cddiffs</c>).</summary>
    internal static double Statistic(double[] sorted1, double[] sorted2)
    {
        int n1 = sorted1.Length, n2 = sorted2.Length;
        double maxS = double.NegativeInfinity, minS = double.PositiveInfinity;
        int i = 0, j = 0;
        while (i < n1 || j < n2)
        {
            var v = j >= n2 || (i < n1 && sorted1[i] <= sorted2[j]) ? sorted1[i] : sorted2[j];
            while (i < n1 && sorted1[i] <= v)
            {
                i++;
            }

            while (j < n2 && sorted2[j] <= v)
            {
                j++;
            }

            var diff = ((double)i / n1) - ((double)j / n2);
            maxS = Math.Max(maxS, diff);
            minS = Math.Min(minS, diff);
        }

        var minusMin = Math.Clamp(-minS, 0, 1);
        return minusMin > maxS ? minusMin : maxS;
    }

    /// <summary>The two-sided p-value of statistic <paramref name="d"/> for sample sizes n₁, n₂ with SciPy's 'auto' method.</summary>
    public static KsResult PValue(int n1, int n2, double d)
    {
        if (Math.Max(n1, n2) <= MaxAutoN)
        {
            var g = Gcd(n1, n2);
            var (success, rounded, probability) = AttemptExact(n1, n2, g, d);
            if (success)
            {
                return new KsResult(rounded, Math.Clamp(probability, 0, 1), Exact: true);
            }

            d = rounded;
        }

        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        var en = m * n / (m + n);
        var p = KolmogorovDistribution.Survival((int)Math.Round(en, MidpointRounding.ToEven), d);
        return new KsResult(d, Math.Clamp(p, 0, 1), Exact: false);
    }

    private static (bool Success, double D, double Probability) AttemptExact(int n1, int n2, int g, double d)
    {
        var lcm = (long)(n1 / g) * n2;
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        d = h * 1.0 / lcm;
        if (h == 0)
        {
            return (true, d, 1.0);
        }

        double probability;
        try
        {
            probability = n1 == n2 ? ProbOutsideSquare(n1, h) : OuterProbInsideMethod(n1, n2, g, h);
        }
        catch (IndexOutOfRangeException)
        {
            return (false, d, double.NaN);
        }

        if (!double.IsFinite(probability) || probability < 0 || probability > 1)
        {
            return (false, d, probability);
        }

        return (true, d, probability);
    }

    /// <summary>SciPy's <c>_compute_prob_outside_square(n, h)</c>: Pr(D_{n,n} ≥ h/n), a Horner-like alternating sum.</summary>
    internal static double ProbOutsideSquare(long n, long h)
    {
        var p = 0.0;
        var k = (long)Math.Floor((double)n / h);
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    /// <summary>
    /// SciPy's <c>_compute_outer_prob_inside_method(m, n, g, h)</c>: the proportion of lattice paths from (0, 0) to
    /// (m, n) that leave the band |x/m − y/n| &lt; h/lcm(m, n), via the recursion for 1 − p (Viehmann 2021).
    /// </summary>
    internal static double OuterProbInsideMethod(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        var mg = m / g;
        var ng = n / g;
        long minj = 0;
        var maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        var curlen = maxj - minj;
        var lenA = Math.Min((2 * maxj) + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        for (var j = minj; j < Math.Min(maxj, lenA); j++)
        {
            a[j] = 0.0;
        }

        for (long i = 1; i <= m; i++)
        {
            var lastminj = minj;
            var lastlen = curlen;
            minj = Math.Max((long)Math.Floor((double)((ng * i) - h) / mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling((double)((ng * i) + h) / mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            var val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                val = ((a[jj + minj - lastminj] * i) + (val * j)) / (i + j);
                a[jj] = val;
            }

            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                var end = Math.Min(maxj - minj + (lastlen - curlen), lenA);
                for (var k = maxj - minj; k < end; k++)
                {
                    a[k] = 1;
                }
            }
        }

        return a[maxj - minj - 1];
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
