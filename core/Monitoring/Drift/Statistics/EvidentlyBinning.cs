namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// Evidently's <c>get_binned_data</c>, the shares the PSI and Jensen–Shannon scores compare. A numeric feature
/// whose reference has more than 20 distinct values is binned on NumPy's Sturges edges
/// (<c>np.histogram_bin_edges(concat(reference, current), bins='sturges')</c>: ⌈ptp / (ptp / (log₂ N + 1))⌉ equal
/// bins from the combined minimum to the combined maximum, N the combined count), each sample counted with
/// <c>np.histogram</c> (half-open bins, the last closed) and divided by its size; otherwise every distinct value
/// (category) is a bin. Pure; thread-safe.
/// </summary>
public static class EvidentlyBinning
{
    /// <summary>A numeric reference with more distinct values than this is binned on Sturges edges.</summary>
    public const int MaxDistinctForPerValueBins = 20;

    /// <summary>NumPy's Sturges bin edges of the two samples together (both non-empty).</summary>
    public static double[] SturgesEdges(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        var count = reference.Count + current.Count;
        var min = Math.Min(reference.Min(), current.Min());
        var max = Math.Max(reference.Max(), current.Max());
        double first = min, last = max;
        if (first == last)
        {
            first -= 0.5;
            last += 0.5;
        }

        var ptp = max - min;
        var width = ptp / (Math.Log2(count) + 1.0);
        var bins = width != 0 ? (int)Math.Ceiling((last - first) / width) : 1;
        return Linspace(first, last, bins + 1);
    }

    /// <summary><c>np.linspace(start, stop, num)</c> with its endpoint.</summary>
    internal static double[] Linspace(double start, double stop, int num)
    {
        var edges = new double[num];
        var step = (stop - start) / (num - 1);
        for (var i = 0; i < num; i++)
        {
            edges[i] = (i * step) + start;
        }

        edges[^1] = stop;
        return edges;
    }

    /// <summary><c>np.histogram(values, edges)[0]</c>: counts per half-open bin [e_i, e_{i+1}), the last bin closed; values outside are dropped.</summary>
    public static long[] Histogram(IReadOnlyList<double> values, IReadOnlyList<double> edges)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var cumulative = new long[edges.Count];
        for (var i = 0; i < edges.Count; i++)
        {
            cumulative[i] = i < edges.Count - 1 ? LowerBound(sorted, edges[i]) : UpperBound(sorted, edges[i]);
        }

        var counts = new long[edges.Count - 1];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = cumulative[i + 1] - cumulative[i];
        }

        return counts;
    }

    /// <summary>The shares of a numeric feature: Sturges bins when the reference has more than 20 distinct values, else per value.</summary>
    public static (double[] Reference, double[] Current) NumericPercents(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        if (reference.Distinct().Count() > MaxDistinctForPerValueBins)
        {
            var edges = SturgesEdges(reference, current);
            return (Shares(Histogram(reference, edges), reference.Count), Shares(Histogram(current, edges), current.Count));
        }

        var frequencies = Frequencies.FromNumeric(reference, current);
        return Percents(frequencies.Reference, frequencies.Current);
    }

    /// <summary>Per-category shares: each count divided by its sample's total.</summary>
    public static (double[] Reference, double[] Current) Percents(IReadOnlyList<long> reference, IReadOnlyList<long> current) =>
        (Shares(reference, reference.Sum()), Shares(current, current.Sum()));

    /// <summary>
    /// Evidently's <c>feel_zeroes</c>: zero shares become min(non-zero)/10⁶ when that minimum is ≤ 0.0001, else
    /// 0.0001. Returns a new array; an all-zero input is returned unchanged.
    /// </summary>
    public static double[] FillZeroes(IReadOnlyList<double> percents)
    {
        var result = percents.ToArray();
        var nonZero = result.Where(p => p != 0).ToArray();
        if (nonZero.Length == 0)
        {
            return result;
        }

        var min = nonZero.Min();
        var fill = min <= 0.0001 ? min / 1e6 : 0.0001;
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == 0)
            {
                result[i] = fill;
            }
        }

        return result;
    }

    private static double[] Shares(IReadOnlyList<long> counts, long total) => counts.Select(c => (double)c / total).ToArray();

    private static int LowerBound(double[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (sorted[mid] < value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (sorted[mid] <= value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
