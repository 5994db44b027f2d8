namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// A per-feature choice that replaces the default: the test, the threshold, or both (null keeps the default).
/// A threshold without a method applies to the default method. Immutable.
/// </summary>
public sealed record FeatureDriftOverride
{
    public DriftMethod? Method { get; init; }

    /// <summary>p-value threshold (drift when p &lt; it) or distance threshold (drift when distance ≥ it), by method.</summary>
    public double? Threshold { get; init; }
}
