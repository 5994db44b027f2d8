using Serverless.Core.Baselines;

namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// Turns a stored <see cref="DatasetBaseline"/> into the reference side of <see cref="DriftEngine.Compare"/>:
/// a numeric feature becomes its reservoir <see cref="FeatureBaseline.Sample"/> (≤ 1,000 values) with the full
/// data's <see cref="FeatureBaseline.StdDev"/> for the Wasserstein normalisation; a categorical feature its
/// <see cref="FeatureBaseline.Categories"/> plus, when <see cref="FeatureBaseline.OtherCount"/> &gt; 0, a
/// <see cref="CategoricalColumn.OtherCategory"/> bucket. Pass <see cref="DatasetBaseline.Rows"/> as the reference
/// row count (so method selection sees the full size, not the sample's). Pure; thread-safe.
/// </summary>
public static class BaselineReference
{
    public static IReadOnlyList<DriftColumn> Columns(DatasetBaseline baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return baseline.Features.Select(Column).ToArray();
    }

    /// <summary>The reference row count to pass with <see cref="Columns"/>.</summary>
    public static long Rows(DatasetBaseline baseline) => baseline.Rows;

    public static DriftColumn Column(FeatureBaseline feature)
    {
        if (string.Equals(feature.Type, "numeric", StringComparison.OrdinalIgnoreCase))
        {
            return new NumericColumn(feature.Name, feature.Sample?.ToArray() ?? [], feature.Missing, feature.StdDev);
        }

        var counts = new Dictionary<string, long>(feature.Categories ?? new Dictionary<string, long>(), StringComparer.Ordinal);
        if (feature.OtherCount > 0)
        {
            counts[CategoricalColumn.OtherCategory] = counts.GetValueOrDefault(CategoricalColumn.OtherCategory) + feature.OtherCount;
        }

        return new CategoricalColumn(feature.Name, counts, feature.Missing);
    }
}
