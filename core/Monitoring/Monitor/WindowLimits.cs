namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// The bounds on what a monitor run keeps per model version, whatever the traffic: a uniform sample of at most
/// <see cref="MaxSampleRows"/> values per numeric feature (and of request latencies, in all and per API: at most
/// <see cref="ApiCounts.MaxApis"/> + 1 more samples), at most
/// <see cref="MaxCategories"/> distinct categories per categorical feature beyond the baseline's own (the rest are
/// counted in one <see cref="Drift.CategoricalColumn.OtherCategory"/> bucket), categories longer than
/// <see cref="MaxCategoryLength"/> characters kept as a prefix and a hash, and at most
/// <see cref="MaxFeedbackRows"/> outcomes and labelled rows. Immutable.
/// </summary>
public sealed record WindowLimits(int MaxSampleRows, int MaxCategories, int MaxFeedbackRows)
{
    /// <summary>Longer category strings are keyed by their first characters and a hash of the whole (<see cref="CategoryKeys"/>).</summary>
    public const int MaxCategoryLength = 256;

    public static WindowLimits Default { get; } = From(new MonitoringOptions());

    public static WindowLimits From(MonitoringOptions options) => new(options.MaxSampleRows, options.MaxCategories, options.MaxFeedbackRows);
}
