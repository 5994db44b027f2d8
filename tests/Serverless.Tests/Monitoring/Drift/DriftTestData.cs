namespace Serverless.Tests.Monitoring.Drift;

/// <summary>
/// The deterministic datasets of reference_values.py, generated identically here (same LCG, same Box–Muller),
/// so the pinned SciPy numbers apply to the same data.
/// </summary>
internal static class DriftTestData
{
    public static readonly double[] Ks5 = [0.61, 0.29, 0.06, 0.59, -1.73];
    public static readonly double[] Ks7 = [-0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06];

    /// <summary>Numerical Recipes' 32-bit LCG; uniforms in (0, 1).</summary>
    public static double[] Lcg(uint seed, int n)
    {
        var state = seed;
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            state = unchecked((1664525u * state) + 1013904223u);
            values[i] = (state + 0.5) / 4294967296.0;
        }

        return values;
    }

    /// <summary>Box–Muller on pairs of <see cref="Lcg"/> uniforms (cosine branch only).</summary>
    public static double[] Normals(uint seed, int n, double mean = 0.0, double sd = 1.0)
    {
        var u = Lcg(seed, 2 * n);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = mean + (sd * Math.Sqrt(-2.0 * Math.Log(u[2 * i])) * Math.Cos(2.0 * Math.PI * u[(2 * i) + 1]));
        }

        return values;
    }

    /// <summary>floor(u · (high − low + 1)) + low.</summary>
    public static double[] Integers(uint seed, int n, int low, int high) =>
        Lcg(seed, n).Select(u => Math.Floor(u * (high - low + 1)) + low).ToArray();

    public static Dictionary<string, long> CountsOf(IEnumerable<double> values) =>
        values.GroupBy(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => (long)g.Count());
}
