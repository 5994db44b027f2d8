using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Statistics of what a version predicted over the window, with or without a baseline or manifest, in constant memory:
/// exact moments and range of the logged values (<see cref="InferenceLogRecord.Value"/>: a regression value, or an OIP
/// first output's first number; for an output too large to log per row, the request's output mean) and of the
/// probabilities of the predicted labels, and counts of the first <see cref="MaxLabels"/> distinct labels (the rest
/// counted together; labels longer than <see cref="WindowLimits.MaxCategoryLength"/> keyed by <see cref="CategoryKeys.Key"/>,
/// shown cut to <see cref="CategoryKeys.MaxShownLength"/>). Not thread-safe.
/// </summary>
public sealed class OutputAccumulator
{
    /// <summary>Distinct labels counted one by one.</summary>
    public const int MaxLabels = 100;

    private readonly RunningMoments _values = new();
    private readonly RunningMoments _probabilities = new();
    private readonly Dictionary<string, long> _labels = new(StringComparer.Ordinal);
    private long _otherLabels;
    private long _rows;

    /// <summary>A served row.</summary>
    public void Add(InferenceLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Add(PredictionValues.Logged(record), record.Probability, record.Label);
    }

    /// <summary>A served row, given by its logged value (<see cref="PredictionValues.Logged(InferenceLogRecord)"/>), probability and label.</summary>
    public void Add(double? logged, double? probability, string? label)
    {
        _rows++;
        if (logged is { } value)
        {
            _values.Add(value);
        }

        if (probability is { } p)
        {
            _probabilities.Add(p);
        }

        if (!string.IsNullOrEmpty(label))
        {
            var key = CategoryKeys.Key(label);
            ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(_labels, key);
            if (!Unsafe.IsNullRef(ref count))
            {
                count++;
            }
            else if (_labels.Count < MaxLabels)
            {
                _labels[key] = 1;
            }
            else
            {
                _otherLabels++;
            }
        }
    }

    public OutputStatistics Build() => new(_rows, _values.Build(), _probabilities.Build(),
        _labels.OrderByDescending(l => l.Value).ThenBy(l => l.Key, StringComparer.Ordinal)
            .GroupBy(l => CategoryKeys.Shown(l.Key), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(l => l.Value), StringComparer.Ordinal),
        _otherLabels);
}

/// <summary>
/// What a version predicted in the window: rows served, the logged values' and the predicted labels' probabilities'
/// figures (null when none were logged), and label counts (most frequent first; <see cref="OtherLabels"/> rows had
/// labels past the first <see cref="OutputAccumulator.MaxLabels"/> distinct ones). Immutable.
/// </summary>
public sealed record OutputStatistics(long Rows, NumberSummary? Values, NumberSummary? Probabilities, IReadOnlyDictionary<string, long> Labels, long OtherLabels);

/// <summary>Count, mean, population standard deviation, minimum and maximum of finite numbers. Immutable.</summary>
public sealed record NumberSummary(long Count, double Mean, double StdDev, double Min, double Max);

/// <summary>Exact running count, mean, variance (Welford) and range of finite numbers, in constant memory. Not thread-safe.</summary>
public sealed class RunningMoments
{
    private double _mean;
    private double _squares;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    public long Count { get; private set; }

    /// <summary>Adds a value; non-finite values are ignored.</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        Count++;
        var delta = value - _mean;
        _mean += delta / Count;
        _squares += delta * (value - _mean);
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
    }

    /// <summary>The figures so far; null before any value.</summary>
    public NumberSummary? Build() => Count == 0 ? null : new NumberSummary(Count, _mean, Math.Sqrt(_squares / Count), _min, _max);
}
