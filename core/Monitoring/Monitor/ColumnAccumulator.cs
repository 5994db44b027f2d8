using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Drift;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// One column of the current window (a baseline feature, or the predictions) built value by value in memory bounded
/// by <see cref="WindowLimits"/>, not by the traffic. Numbers: a uniform <see cref="PrioritySample{T}"/> of at most
/// <see cref="WindowLimits.MaxSampleRows"/> values for the drift tests, and exact counts (present, missing, outside
/// the baseline's range, per bin of the baseline's histogram). Categories: a count per category for the baseline's
/// own categories and for at most <see cref="WindowLimits.MaxCategories"/> others, first come; values of further
/// categories are counted in the <see cref="CategoricalColumn.OtherCategory"/> bucket (which the drift tests treat as
/// categories the baseline does not list, exactly as they would treat them one by one); categories longer than
/// <see cref="WindowLimits.MaxCategoryLength"/> are keyed by <see cref="CategoryKeys.Key"/>. Null (or an empty
/// category) is missing. Not thread-safe.
/// </summary>
public sealed class ColumnAccumulator
{
    private readonly FeatureBaseline _reference;
    private readonly PrioritySample<double>? _sample;
    private readonly long[]? _bins;
    private readonly double[]? _edges;
    private readonly Dictionary<string, long>? _counts;
    private readonly int _maxCategories;
    private long _outOfRange;
    private int _added;
    private long _pooled;
    private long _missing;

    public ColumnAccumulator(FeatureBaseline reference, WindowLimits limits)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(limits);
        _reference = reference;
        IsNumeric = reference.Type == "numeric";
        if (IsNumeric)
        {
            _sample = new PrioritySample<double>(limits.MaxSampleRows);
            _bins = reference is { HistogramEdges.Count: >= 2, HistogramCounts: not null } ? new long[reference.HistogramEdges.Count - 1] : null;
            _edges = _bins is null ? null : [.. reference.HistogramEdges!];
        }
        else
        {
            _maxCategories = limits.MaxCategories;
            _counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var category in reference.Categories?.Keys ?? [])
            {
                _counts.TryAdd(category, 0);
            }
        }
    }

    public string Name => _reference.Name;

    public bool IsNumeric { get; }

    /// <summary>Distinct categories held (the baseline's included); 0 for a numeric column.</summary>
    public int CategoriesHeld => _counts?.Count ?? 0;

    /// <summary>Values held for the drift tests: the sample's size (numeric) or the number of category counts.</summary>
    public int ValuesHeld => _sample?.Count ?? CategoriesHeld;

    /// <summary>A numeric value; <paramref name="priority"/> is the row's (<see cref="RowSampler"/>).</summary>
    public void AddNumber(double? value, ulong priority)
    {
        if (value is { } number)
        {
            AddNumber(number, priority);
        }
        else
        {
            _missing++;
        }
    }

    /// <summary>A present numeric value.</summary>
    public void AddNumber(double number, ulong priority)
    {
        _sample!.Add(priority, number);
        if (_edges is not null)
        {
            _bins![Bin(_edges, number)]++;
        }

        if (number < _reference.Min || number > _reference.Max)
        {
            _outOfRange++;
        }
    }

    /// <summary><paramref name="count"/> missing values.</summary>
    public void AddMissing(long count) => _missing += count;

    public void AddCategory(string? value) => AddCategory(value, 1);

    /// <summary><paramref name="count"/> values of one category (or missing ones).</summary>
    public void AddCategory(string? value, long count)
    {
        if (string.IsNullOrEmpty(value))
        {
            _missing += count;
            return;
        }

        ref var held = ref CollectionsMarshal.GetValueRefOrNullRef(_counts!, value);
        if (Unsafe.IsNullRef(ref held))
        {
            var key = CategoryKeys.Key(value);
            if (!ReferenceEquals(key, value))
            {
                held = ref CollectionsMarshal.GetValueRefOrNullRef(_counts!, key);
            }

            if (Unsafe.IsNullRef(ref held))
            {
                if (_added >= _maxCategories)
                {
                    _pooled += count;
                    return;
                }

                _added++;
                _counts!.Add(key, count);
                return;
            }
        }

        held += count;
    }

    private static int Bin(double[] edges, double value) => BaselineBuilder.Bin(edges.AsSpan(), value);

    public WindowColumn Build()
    {
        if (_sample is not null)
        {
            var column = new NumericColumn(Name, _sample.ToArray(), _missing, presentValues: _sample.Offered);
            return new WindowColumn(column, _sample.Offered, _outOfRange, _bins?.ToArray(), 0);
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (category, count) in _counts!)
        {
            if (count > 0)
            {
                counts[category] = count;
            }
        }

        if (_pooled > 0)
        {
            counts[CategoricalColumn.OtherCategory] = counts.GetValueOrDefault(CategoricalColumn.OtherCategory) + _pooled;
        }

        var categorical = new CategoricalColumn(Name, counts, _missing);
        return new WindowColumn(categorical, categorical.ValueCount, 0, null, _pooled);
    }
}

/// <summary>
/// A current-window column as the monitor judges it: the drift column (numeric values may be a sample: see
/// <see cref="NumericColumn.IsSample"/>) and the exact figures of the whole window: present values, values outside
/// the baseline's range, counts on the baseline's histogram bins (null when it has none), and values pooled in the
/// <see cref="CategoricalColumn.OtherCategory"/> bucket because the window passed <see cref="WindowLimits.MaxCategories"/>.
/// Immutable.
/// </summary>
public sealed record WindowColumn(DriftColumn Column, long Present, long OutOfRange, IReadOnlyList<long>? BinCounts, long Pooled);
