namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// The first Wasserstein (earth mover's) distance between two empirical distributions, as
/// <c>scipy.stats.wasserstein_distance(u, v)</c>: ∫ |U(x) − V(x)| dx over the merged sorted values, with U and V
/// the right-continuous ECDFs. Evidently's <c>wasserstein</c> drift score divides it by
/// max(σ_ref, 0.001) with σ_ref the population (ddof = 0) standard deviation of the reference. Pure; thread-safe.
/// </summary>
public static class Wasserstein
{
    /// <summary>The Evidently normaliser floor: the distance is divided by max(σ_ref, this).</summary>
    public const double MinimumNorm = 0.001;

    public static double Distance(IReadOnlyList<double> u, IReadOnlyList<double> v)
    {
        if (u.Count == 0 || v.Count == 0)
        {
            throw new ArgumentException("Distribution can't be empty.");
        }

        var a = u.ToArray();
        var b = v.ToArray();
        Array.Sort(a);
        Array.Sort(b);
        var all = Merge(a, b);

        int i = 0, j = 0;
        var sum = 0.0;
        for (var k = 0; k < all.Length - 1; k++)
        {
            var x = all[k];
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            var delta = all[k + 1] - x;
            if (delta != 0)
            {
                sum += Math.Abs(((double)i / a.Length) - ((double)j / b.Length)) * delta;
            }
        }

        return sum;
    }

    /// <summary>The sorted union (with repeats) of two sorted arrays.</summary>
    private static double[] Merge(double[] a, double[] b)
    {
        var all = new double[a.Length + b.Length];
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            all[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }

        a.AsSpan(i).CopyTo(all.AsSpan(k));
        b.AsSpan(j).CopyTo(all.AsSpan(k + a.Length - i));
        return all;
    }

    /// <summary>The population standard deviation (NumPy's <c>np.std</c>, ddof = 0).</summary>
    public static double PopulationStdDev(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var mean = values.Average();
        var squares = 0.0;
        foreach (var value in values)
        {
            squares += (value - mean) * (value - mean);
        }

        return Math.Sqrt(squares / values.Count);
    }
}
