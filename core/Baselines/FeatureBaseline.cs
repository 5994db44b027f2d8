namespace Serverless.Core.Baselines;

/// <summary>
/// The reference distribution of one column, compact whatever the row count: counts and moments, a histogram on
/// fixed edges and a bounded uniform sample (numeric), or category counts (categorical, the most frequent ones
/// with the rest pooled in <see cref="OtherCount"/>). Immutable; JSON snake_case.
/// </summary>
public sealed record FeatureBaseline
{
    public required string Name { get; init; }

    /// <summary><c>numeric</c> or <c>categorical</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Rows seen, missing included.</summary>
    public long Count { get; init; }

    /// <summary>Rows with no value (empty cell, NaN).</summary>
    public long Missing { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    public double? Mean { get; init; }

    /// <summary>Population standard deviation of the present values.</summary>
    public double? StdDev { get; init; }

    /// <summary>Distinct present values, counted exactly up to <see cref="BaselineBuilder.MaxDistinctTracked"/> (then a lower bound).</summary>
    public long Distinct { get; init; }

    /// <summary>Numeric: bin edges, ascending, <c>HistogramCounts.Count + 1</c> of them; the last bin includes its upper edge.</summary>
    public IReadOnlyList<double>? HistogramEdges { get; init; }

    public IReadOnlyList<long>? HistogramCounts { get; init; }

    /// <summary>Numeric: a uniform random sample of the present values (reservoir, seeded), at most <see cref="BaselineBuilder.SampleSize"/>.</summary>
    public IReadOnlyList<double>? Sample { get; init; }

    /// <summary>Categorical: count per category for the most frequent ones.</summary>
    public IReadOnlyDictionary<string, long>? Categories { get; init; }

    /// <summary>Categorical: rows whose category is not listed in <see cref="Categories"/>.</summary>
    public long OtherCount { get; init; }
}
