using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Drift;

namespace Serverless.Core.Monitoring.Reports;

/// <summary>
/// Builds the <see cref="FeatureHistogram"/>s a drift report draws: from two sets of columns (numeric features on
/// equal-width bins over both samples' range, categorical ones per category, the least frequent pooled) or from a
/// stored baseline (its own histogram edges and category counts, the current values binned on them).
/// Deterministic; pure; thread-safe.
/// </summary>
public static class DriftHistograms
{
    public const int DefaultBins = 20;
    public const int DefaultMaxCategories = 20;

    /// <summary>The label of the bar that pools the categories beyond the most frequent ones.</summary>
    public const string OtherLabel = "(other)";

    /// <summary>One histogram per reference column that has a current column of the same name and type.</summary>
    public static IReadOnlyList<FeatureHistogram> FromColumns(IReadOnlyList<DriftColumn> reference, IReadOnlyList<DriftColumn> current, int bins = DefaultBins, int maxCategories = DefaultMaxCategories)
    {
        var byName = current.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var histograms = new List<FeatureHistogram>();
        foreach (var column in reference)
        {
            if (byName.TryGetValue(column.Name, out var other) && other.Type == column.Type)
            {
                histograms.Add(FromColumns(column, other, bins, maxCategories));
            }
        }

        return histograms;
    }

    public static FeatureHistogram FromColumns(DriftColumn reference, DriftColumn current, int bins = DefaultBins, int maxCategories = DefaultMaxCategories)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCategories, 1);
        if (reference is NumericColumn r && current is NumericColumn c)
        {
            var all = r.Values.Concat(c.Values).ToArray();
            var edges = all.Length == 0 ? [0.0, 1.0] : EqualWidthEdges(all.Min(), all.Max(), bins);
            return new FeatureHistogram { Name = reference.Name, Type = "numeric", Edges = edges, Reference = Count(r.Values, edges), Current = Count(c.Values, edges) };
        }

        if (reference is CategoricalColumn rc && current is CategoricalColumn cc)
        {
            return Categorical(reference.Name, rc.Counts, cc.Counts, maxCategories);
        }

        throw new ArgumentException($"Feature '{reference.Name}' is {reference.Type} in the reference but {current.Type} in the current data.");
    }

    /// <summary>One histogram per baseline feature that has a current column of the same name and type.</summary>
    public static IReadOnlyList<FeatureHistogram> FromBaseline(DatasetBaseline baseline, IReadOnlyList<DriftColumn> current, int maxCategories = DefaultMaxCategories)
    {
        var byName = current.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var histograms = new List<FeatureHistogram>();
        foreach (var feature in baseline.Features)
        {
            if (byName.TryGetValue(feature.Name, out var column) && FromBaseline(feature, column, maxCategories) is { } histogram)
            {
                histograms.Add(histogram);
            }
        }

        return histograms;
    }

    /// <summary>The baseline's histogram (or categories) beside the current values on the same bins; null when the types differ or the baseline has no histogram.</summary>
    public static FeatureHistogram? FromBaseline(FeatureBaseline feature, DriftColumn current, int maxCategories = DefaultMaxCategories) =>
        FromBaseline(feature, current, null, maxCategories);

    /// <summary>
    /// As <see cref="FromBaseline(FeatureBaseline, DriftColumn, int)"/>, with the current window's counts on the
    /// baseline's bins given (<paramref name="currentBinCounts"/>, counted over every value while the column's
    /// values may be a sample); null counts bins the column's values.
    /// </summary>
    public static FeatureHistogram? FromBaseline(FeatureBaseline feature, DriftColumn current, IReadOnlyList<long>? currentBinCounts, int maxCategories = DefaultMaxCategories)
    {
        if (current is NumericColumn numeric && feature.HistogramEdges is { Count: >= 2 } edges && feature.HistogramCounts is { } counts)
        {
            var binned = currentBinCounts is { } given && given.Count == edges.Count - 1 ? given : Count(numeric.Values, edges);
            return new FeatureHistogram { Name = feature.Name, Type = "numeric", Edges = edges, Reference = counts, Current = binned };
        }

        if (current is CategoricalColumn categorical && feature.Categories is { } categories)
        {
            var reference = new Dictionary<string, long>(categories, StringComparer.Ordinal);
            if (feature.OtherCount > 0)
            {
                reference[CategoricalColumn.OtherCategory] = reference.GetValueOrDefault(CategoricalColumn.OtherCategory) + feature.OtherCount;
            }

            return Categorical(feature.Name, reference, categorical.Counts, maxCategories);
        }

        return null;
    }

    private static double[] EqualWidthEdges(double min, double max, int bins)
    {
        if (min == max)
        {
            return [min - 0.5, max + 0.5];
        }

        var edges = new double[bins + 1];
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = min + ((max - min) * i / bins);
        }

        edges[^1] = max;
        return edges;
    }

    /// <summary>Counts per bin with <see cref="BaselineBuilder.Bin"/> (values beyond the edges go to the first or last bin).</summary>
    private static long[] Count(IReadOnlyList<double> values, IReadOnlyList<double> edges)
    {
        var counts = new long[edges.Count - 1];
        var edgeArray = edges as double[] ?? [.. edges];
        foreach (var value in values)
        {
            counts[BaselineBuilder.Bin(edgeArray, value)]++;
        }

        return counts;
    }

    private static FeatureHistogram Categorical(string name, IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> current, int maxCategories)
    {
        var keys = reference.Where(p => p.Value > 0).Select(p => p.Key)
            .Union(current.Where(p => p.Value > 0).Select(p => p.Key), StringComparer.Ordinal)
            .OrderByDescending(k => reference.GetValueOrDefault(k) + current.GetValueOrDefault(k))
            .ThenBy(k => k, StringComparer.Ordinal)
            .ToList();
        var shown = keys.Count > maxCategories ? keys.Take(maxCategories - 1).ToList() : keys;
        var pooled = keys.Skip(shown.Count).ToList();
        var labels = shown.ToList();
        var referenceCounts = shown.Select(k => reference.GetValueOrDefault(k)).ToList();
        var currentCounts = shown.Select(k => current.GetValueOrDefault(k)).ToList();
        if (pooled.Count > 0)
        {
            labels.Add(OtherLabel);
            referenceCounts.Add(pooled.Sum(k => reference.GetValueOrDefault(k)));
            currentCounts.Add(pooled.Sum(k => current.GetValueOrDefault(k)));
        }

        if (labels.Count == 0)
        {
            labels.Add(OtherLabel);
            referenceCounts.Add(0);
            currentCounts.Add(0);
        }

        return new FeatureHistogram { Name = name, Type = "categorical", Categories = labels, Reference = referenceCounts, Current = currentCounts };
    }
}
