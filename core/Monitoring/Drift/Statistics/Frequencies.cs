using System.Globalization;

namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// Reference and current counts aligned on the union of the values (categories) seen in either sample, keys in
/// ascending order (numbers numerically, text ordinally) so the first key is Evidently's z-test "first category".
/// Immutable.
/// </summary>
public sealed class Frequencies
{
    private Frequencies(string[] keys, long[] reference, long[] current)
    {
        Keys = keys;
        Reference = reference;
        Current = current;
    }

    /// <summary>The values, numbers in round-trip invariant form.</summary>
    public IReadOnlyList<string> Keys { get; }

    public IReadOnlyList<long> Reference { get; }

    public IReadOnlyList<long> Current { get; }

    public static Frequencies FromNumeric(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        var counts = new SortedDictionary<double, (long Reference, long Current)>();
        foreach (var value in reference)
        {
            var key = value == 0 ? 0.0 : value;
            counts[key] = counts.TryGetValue(key, out var c) ? (c.Reference + 1, c.Current) : (1, 0);
        }

        foreach (var value in current)
        {
            var key = value == 0 ? 0.0 : value;
            counts[key] = counts.TryGetValue(key, out var c) ? (c.Reference, c.Current + 1) : (0, 1);
        }

        return new Frequencies(
            counts.Keys.Select(k => k.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
            counts.Values.Select(c => c.Reference).ToArray(),
            counts.Values.Select(c => c.Current).ToArray());
    }

    /// <summary>
    /// Aligns category counts (zero counts ignored). When <paramref name="poolUnlistedInto"/> is a category of the
    /// reference, current categories the reference does not list are counted in it instead (a reference that kept
    /// only its most frequent categories and pooled the rest).
    /// </summary>
    public static Frequencies FromCategorical(IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> current, string? poolUnlistedInto = null)
    {
        var counts = new SortedDictionary<string, (long Reference, long Current)>(StringComparer.Ordinal);
        foreach (var (key, count) in reference)
        {
            if (count > 0)
            {
                counts[key] = (count, 0);
            }
        }

        var pool = poolUnlistedInto is not null && counts.ContainsKey(poolUnlistedInto) ? poolUnlistedInto : null;
        foreach (var (category, count) in current)
        {
            if (count <= 0)
            {
                continue;
            }

            var key = pool is not null && !counts.ContainsKey(category) ? pool : category;
            counts[key] = counts.TryGetValue(key, out var c) ? (c.Reference, c.Current + count) : (0, count);
        }

        return new Frequencies(counts.Keys.ToArray(), counts.Values.Select(c => c.Reference).ToArray(), counts.Values.Select(c => c.Current).ToArray());
    }
}
