namespace Serverless.Core.Features;

/// <summary>
/// Point-in-time lookups over a feature set version's history: for an entity key and a time t, each feature's value as it was at t,
/// the value with the latest event time at or before t (never one after t), which counts as expired when it is older than the set's
/// TTL at t (t − event time &gt; TTL, as serving judges it at its clock). Equal event times resolve as <see cref="FeatureRecord.Merge"/>
/// does (the greater value wins), so the index answers what the online store held at t whatever order the rows were written in,
/// and a row appended twice (the same key, time and values) counts once. Fill with <see cref="Add"/>, then <see cref="Seal"/>;
/// not thread-safe while filling, thread-safe for <see cref="AsOf"/> once sealed.
/// </summary>
public sealed class PointInTimeIndex
{
    private readonly Dictionary<string, List<Point>?[]> _timelines = new(StringComparer.Ordinal);
    private readonly int _features;
    private readonly long _ttlTicks;
    private bool _sealed;

    public PointInTimeIndex(FeatureSetDefinition set)
    {
        Set = set;
        _features = set.Features.Count;
        _ttlTicks = set.Ttl.Ticks;
    }

    public FeatureSetDefinition Set { get; }

    /// <summary>History rows taken in (after <see cref="Seal"/>, duplicates included).</summary>
    public long Rows { get; private set; }

    /// <summary>Distinct entity keys with history.</summary>
    public int Keys => _timelines.Count;

    /// <summary>Takes in one history row (each feature it gives, at its own event time).</summary>
    public void Add(FeatureRecord row)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("The index is sealed.");
        }

        if (!_timelines.TryGetValue(row.EntityKey, out var timeline))
        {
            _timelines[row.EntityKey] = timeline = new List<Point>?[_features];
        }

        for (var f = 0; f < _features; f++)
        {
            if (row.Has(f))
            {
                (timeline[f] ??= []).Add(new Point(row.Ticks[f], row.Numbers[f], row.Texts[f]));
            }
        }

        Rows++;
    }

    /// <summary>Orders every timeline; call once, after the last <see cref="Add"/>.</summary>
    public void Seal()
    {
        foreach (var timeline in _timelines.Values)
        {
            foreach (var points in timeline)
            {
                points?.Sort(Point.Order);
            }
        }

        _sealed = true;
    }

    /// <summary>
    /// Feature <paramref name="feature"/> (declared position) of <paramref name="entityKey"/> (encoded) as of <paramref name="ticks"/>
    /// (UTC): <see cref="FeatureStatus.Present"/> with its value, else <see cref="FeatureStatus.Missing"/> (no value at or before then) or
    /// <see cref="FeatureStatus.Expired"/> (the latest is older than the TTL).
    /// </summary>
    public FeatureStatus AsOf(string entityKey, long ticks, int feature, out double number, out string? text)
    {
        if (!_sealed)
        {
            throw new InvalidOperationException("Seal the index before reading it.");
        }

        number = 0;
        text = null;
        if (!_timelines.TryGetValue(entityKey, out var timeline) || timeline[feature] is not { } points)
        {
            return FeatureStatus.Missing;
        }

        // The last point at or before ticks: the greatest value at the latest such time (the order puts it last).
        int low = 0, high = points.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (points[middle].Ticks <= ticks)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        if (low == 0)
        {
            return FeatureStatus.Missing;
        }

        var point = points[low - 1];
        if (ticks - point.Ticks > _ttlTicks)
        {
            return FeatureStatus.Expired;
        }

        number = point.Number;
        text = point.Text;
        return FeatureStatus.Present;
    }

    private readonly record struct Point(long Ticks, double Number, string? Text)
    {
        /// <summary>By time, then by value as <see cref="FeatureRecord.Merge"/> breaks ties (numbers by value, categories ordinally).</summary>
        public static readonly Comparison<Point> Order = (a, b) =>
        {
            var byTime = a.Ticks.CompareTo(b.Ticks);
            if (byTime != 0)
            {
                return byTime;
            }

            return a.Text is null && b.Text is null ? a.Number.CompareTo(b.Number) : string.CompareOrdinal(a.Text, b.Text);
        };
    }
}
