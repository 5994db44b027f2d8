using System.Globalization;

namespace Serverless.Core.Baselines;

/// <summary>
/// Accumulates one column's values, then summarises them as a <see cref="FeatureBaseline"/>. Numeric values are
/// kept until <see cref="Build"/> (histogram edges need the range), so memory is 8 bytes per value; categories
/// are counted. Deterministic for a given seed. Not thread-safe.
/// </summary>
public sealed class BaselineBuilder
{
    public const int SampleSize = 1_000;
    public const int HistogramBins = 20;
    public const int MaxCategories = 100;
    public const int MaxDistinctTracked = 100_000;

    private readonly List<double> _numbers = [];
    private readonly Dictionary<string, long> _categories = new(StringComparer.Ordinal);
    private readonly int _seed;
    private long _count;
    private long _missing;

    public BaselineBuilder(string name, bool numeric, int seed = 17)
    {
        Name = name;
        IsNumeric = numeric;
        _seed = seed;
    }

    public string Name { get; }

    public bool IsNumeric { get; }

    /// <summary>Adds a cell as text: empty or whitespace is missing; a numeric column's unparsable text is missing too.</summary>
    public void AddText(string? text)
    {
        _count++;
        if (string.IsNullOrWhiteSpace(text))
        {
            _missing++;
            return;
        }

        if (!IsNumeric)
        {
            _categories[text] = _categories.GetValueOrDefault(text) + 1;
            return;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            _numbers.Add(value);
        }
        else
        {
            _missing++;
        }
    }

    public void AddNumber(double value)
    {
        _count++;
        if (double.IsFinite(value))
        {
            _numbers.Add(value);
        }
        else
        {
            _missing++;
        }
    }

    public FeatureBaseline Build() => IsNumeric ? BuildNumeric() : BuildCategorical();

    private FeatureBaseline BuildNumeric()
    {
        if (_numbers.Count == 0)
        {
            return new FeatureBaseline { Name = Name, Type = "numeric", Count = _count, Missing = _missing };
        }

        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        var sum = 0.0;
        foreach (var v in _numbers)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }

        var mean = sum / _numbers.Count;
        var squares = 0.0;
        foreach (var v in _numbers)
        {
            squares += (v - mean) * (v - mean);
        }

        var edges = Edges(min, max);
        var counts = new long[edges.Length - 1];
        foreach (var v in _numbers)
        {
            counts[Bin(edges, v)]++;
        }

        return new FeatureBaseline
        {
            Name = Name,
            Type = "numeric",
            Count = _count,
            Missing = _missing,
            Min = min,
            Max = max,
            Mean = mean,
            StdDev = Math.Sqrt(squares / _numbers.Count),
            Distinct = _numbers.Distinct().Take(MaxDistinctTracked).LongCount(),
            HistogramEdges = edges,
            HistogramCounts = counts,
            Sample = Reservoir(),
        };
    }

    private FeatureBaseline BuildCategorical() => Categorical(Name, _count, _missing, _categories, _categories.Values.Sum());

    /// <summary>
    /// A categorical feature's baseline: the <see cref="MaxCategories"/> most frequent of <paramref name="categories"/> (ties by
    /// name), the rest of the <paramref name="present"/> values pooled as other.
    /// </summary>
    internal static FeatureBaseline Categorical(string name, long count, long missing, IReadOnlyDictionary<string, long> categories, long present)
    {
        var top = categories.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(MaxCategories).ToList();
        return new FeatureBaseline
        {
            Name = name,
            Type = "categorical",
            Count = count,
            Missing = missing,
            Distinct = categories.Count,
            Categories = top.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
            OtherCount = present - top.Sum(c => c.Value),
        };
    }

    /// <summary>Equal-width edges over [min, max]; a constant column gets one bin of width 1 around its value.</summary>
    private static double[] Edges(double min, double max)
    {
        if (min == max)
        {
            return [min - 0.5, max + 0.5];
        }

        var edges = new double[HistogramBins + 1];
        for (var i = 0; i <= HistogramBins; i++)
        {
            edges[i] = min + ((max - min) * i / HistogramBins);
        }

        edges[^1] = max;
        return edges;
    }

    /// <summary>The bin of <paramref name="value"/> on <paramref name="edges"/>; values outside go to the first or last bin.</summary>
    public static int Bin(ReadOnlySpan<double> edges, double value)
    {
        var bins = edges.Length - 1;
        if (value <= edges[0])
        {
            return 0;
        }

        if (value >= edges[^1])
        {
            return bins - 1;
        }

        int low = 0, high = bins - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (edges[mid] <= value)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    private double[] Reservoir()
    {
        if (_numbers.Count <= SampleSize)
        {
            return [.. _numbers];
        }

        var random = new Random(_seed);
        var sample = _numbers.Take(SampleSize).ToArray();
        for (var i = SampleSize; i < _numbers.Count; i++)
        {
            var j = random.Next(i + 1);
            if (j < SampleSize)
            {
                sample[j] = _numbers[i];
            }
        }

        return sample;
    }
}
