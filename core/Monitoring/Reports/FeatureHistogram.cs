namespace Serverless.Core.Monitoring.Reports;

/// <summary>
/// Reference and current counts of one feature on the same bins, for drawing: numeric features on
/// <see cref="Edges"/> (ascending, one more than the counts), categorical ones per <see cref="Categories"/> label.
/// Counts, not shares: the renderer normalises each side so windows of different sizes compare. Immutable.
/// </summary>
public sealed record FeatureHistogram
{
    public required string Name { get; init; }

    /// <summary><c>numeric</c> or <c>categorical</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Numeric: bin edges, <c>Reference.Count + 1</c> of them.</summary>
    public IReadOnlyList<double>? Edges { get; init; }

    /// <summary>Categorical: one label per bar.</summary>
    public IReadOnlyList<string>? Categories { get; init; }

    public required IReadOnlyList<long> Reference { get; init; }

    public required IReadOnlyList<long> Current { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the bins and counts do not line up.</summary>
    public void Validate()
    {
        var bins = Reference.Count;
        if (Current.Count != bins || bins == 0)
        {
            throw new ArgumentException($"Histogram '{Name}': reference and current need the same, non-zero number of bins.");
        }

        if (Edges is not null && Edges.Count != bins + 1)
        {
            throw new ArgumentException($"Histogram '{Name}': {bins} bins need {bins + 1} edges, not {Edges.Count}.");
        }

        if (Categories is not null && Categories.Count != bins)
        {
            throw new ArgumentException($"Histogram '{Name}': {bins} bars need {bins} labels, not {Categories.Count}.");
        }

        if (Edges is null && Categories is null)
        {
            throw new ArgumentException($"Histogram '{Name}' has neither edges nor categories.");
        }
    }
}
