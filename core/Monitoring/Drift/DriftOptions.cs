namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// How <see cref="DriftEngine"/> decides. Defaults follow Evidently (see <see cref="DriftMethodSelector"/>) plus
/// three guards Evidently lacks: a minimum current window, Benjamini–Hochberg correction of the p-values and
/// effect sizes in the report. Immutable; JSON snake_case (part of every <see cref="DriftReport"/>).
/// </summary>
public sealed record DriftOptions
{
    public static DriftOptions Default { get; } = new();

    /// <summary>The dataset drifts when drifted features / features ≥ this (Evidently's <c>drift_share</c>, 0.5).</summary>
    public double DriftShareThreshold { get; init; } = 0.5;

    /// <summary>
    /// A feature whose current window has fewer present values than this is reported with <c>drifted = false</c>
    /// and the note "window too small (n &lt; N)"; its statistic is still computed but it takes no part in the
    /// Benjamini–Hochberg family. 0 disables the guard.
    /// </summary>
    public int MinimumCurrentRows { get; init; } = 30;

    /// <summary>
    /// Adjust the p-values of the p-value features (those tested) for multiple comparisons with the
    /// Benjamini–Hochberg step-up procedure; decisions then use the adjusted p-value. On by default.
    /// </summary>
    public bool BenjaminiHochberg { get; init; } = true;

    /// <summary>Logarithm base of the Jensen–Shannon distance: e (SciPy's default, as specified for this engine) or 2 (Evidently's).</summary>
    public double JensenShannonBase { get; init; } = Math.E;

    /// <summary>Per-feature method and threshold, by feature name (ordinal).</summary>
    public IReadOnlyDictionary<string, FeatureDriftOverride> Overrides { get; init; } = new Dictionary<string, FeatureDriftOverride>(StringComparer.Ordinal);

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (!(DriftShareThreshold is >= 0 and <= 1))
        {
            throw new ArgumentException($"DriftShareThreshold must be within [0, 1], not {DriftShareThreshold}.");
        }

        if (MinimumCurrentRows < 0)
        {
            throw new ArgumentException($"MinimumCurrentRows must not be negative, not {MinimumCurrentRows}.");
        }

        if (!(JensenShannonBase > 1) || !double.IsFinite(JensenShannonBase))
        {
            throw new ArgumentException($"JensenShannonBase must be greater than 1, not {JensenShannonBase}.");
        }

        foreach (var (name, value) in Overrides)
        {
            if (value.Threshold is { } threshold && (!double.IsFinite(threshold) || threshold < 0))
            {
                throw new ArgumentException($"The threshold override of '{name}' must be finite and non-negative, not {threshold}.");
            }
        }
    }
}
