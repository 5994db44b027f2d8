namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// One feature's drift verdict. <see cref="Statistic"/> is the test's own (KS D, chi-square χ², z, or the
/// distance); <see cref="PValue"/> is null for distance methods; <see cref="AdjustedPValue"/> is the
/// Benjamini–Hochberg p-value when the correction is on and the feature was tested (else null), and is then what
/// <see cref="Drifted"/> compares with <see cref="Threshold"/>. <see cref="EffectSize"/>: KS D, Cramér's V
/// (chi-square), |Cohen's h| (z-test), the distance itself (distance methods). <see cref="NReference"/> is the
/// number of present reference values the column stands for (reference rows − missing, even when the test saw a
/// sample of them); <see cref="NCurrent"/> the present current values, and <see cref="CurrentSample"/> how many of
/// them the test saw when it saw a uniform sample (null when it saw all). <see cref="Note"/> says why a feature was
/// not decided (too small a window, no values). Immutable; JSON snake_case.
/// </summary>
public sealed record FeatureDrift
{
    public required string Name { get; init; }

    /// <summary><c>numeric</c> or <c>categorical</c>.</summary>
    public required string Type { get; init; }

    /// <summary><c>ks</c>, <c>chisquare</c>, <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c> or <c>psi</c>.</summary>
    public required string Method { get; init; }

    /// <summary>Null when either side has no values. +∞ for a chi-square whose current window has a category the reference never saw.</summary>
    public double? Statistic { get; init; }

    public double? PValue { get; init; }

    public double? AdjustedPValue { get; init; }

    public required double Threshold { get; init; }

    public required bool Drifted { get; init; }

    public double? EffectSize { get; init; }

    public required long NReference { get; init; }

    public required long NCurrent { get; init; }

    /// <summary>The current values the test ran on when they were a uniform sample of <see cref="NCurrent"/>; null when it saw them all.</summary>
    public long? CurrentSample { get; init; }

    public string? Note { get; init; }
}
