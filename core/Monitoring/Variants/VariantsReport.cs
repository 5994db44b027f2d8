namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// The model's variants in a monitoring window (<c>variants</c> in every report of the model's run): one side-by-side
/// <see cref="VariantComparison"/> per alias that splits traffic, and the <see cref="MirrorAgreement"/> of each version
/// that scored mirror copies. Immutable; JSON snake_case.
/// </summary>
public sealed record VariantsReport(IReadOnlyList<VariantComparison> Comparisons, IReadOnlyList<MirrorAgreement> Mirrors);

/// <summary>
/// The versions of one alias side by side over the window. <see cref="Champion"/> is the alias's largest-weight version
/// now (the earliest in version order among equals); every other version is a challenger tested against it.
/// <see cref="Metric"/>: the live metric compared (<c>accuracy</c> for classification, <c>mae</c> for regression; null
/// when the champion has no manifest, so outcomes cannot be matched). Figures are every request each version answered
/// in the window, whichever route (the log does not record the alias), mirror copies left out. Immutable.
/// </summary>
public sealed record VariantComparison(string Alias, string Champion, string? Metric, IReadOnlyList<VariantFigures> Versions);

/// <summary>
/// One version of a comparison. <see cref="Weight"/>: its share of the alias's traffic now, in percent (null when it
/// left the alias during the window). <see cref="ErrorRate"/>: failed requests over requests with the Wilson interval
/// (null without requests). Latency percentiles in milliseconds over the version's requests (null without any).
/// <see cref="Live"/>: the live metric on <see cref="LabelledRows"/> rows with an outcome (accuracy: Wilson interval;
/// MAE: Student t interval), null below two labelled rows. <see cref="Rmse"/>: regression only, without an interval.
/// <see cref="ErrorRateTest"/> and <see cref="MetricTest"/>: challengers only. Immutable.
/// </summary>
public sealed record VariantFigures(
    string Version,
    int? Weight,
    string Role,
    long Requests,
    long Errors,
    Estimate? ErrorRate,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    double? LatencyP99Ms,
    long LabelledRows,
    Estimate? Live,
    double? Rmse,
    VariantTest? ErrorRateTest,
    VariantTest? MetricTest)
{
    public const string ChampionRole = "champion";

    public const string ChallengerRole = "challenger";
}

/// <summary>
/// A challenger against the champion on one figure: <see cref="Method"/> (<c>two_proportion_z</c> or <c>welch_t</c>),
/// the difference challenger − champion with its 95 % interval, the statistic, degrees of freedom (Welch) and two-sided
/// p-value, and the <see cref="Verdict"/> at α = 0.05 (see <see cref="Verdicts"/>). Below the minimum rows only the
/// verdict <c>not_enough_rows</c> and <see cref="Note"/> are set. Immutable.
/// </summary>
public sealed record VariantTest(
    string Method,
    double? Difference,
    double? Low,
    double? High,
    double? Statistic,
    double? DegreesOfFreedom,
    double? PValue,
    string Verdict,
    string? Note = null);

/// <summary>
/// A version that scored mirror (shadow) copies in the window. <see cref="Requests"/>, <see cref="Errors"/> and
/// <see cref="ErrorRate"/> (Wilson interval) count its mirror copies, off the request path, so they are not in its own
/// service figures. <see cref="Rows"/>: mirror rows scored. <see cref="Primaries"/>: per version that answered the
/// callers, the mirror's rows paired with that version's on (request id, row). <see cref="Sampled"/>: the join ran on
/// bounded samples (see <see cref="MirrorJoin"/>), so fewer rows were paired than were mirrored. Immutable.
/// </summary>
public sealed record MirrorAgreement(string Mirror, long Requests, long Errors, Estimate? ErrorRate, long Rows, bool Sampled, IReadOnlyList<MirrorPairing> Primaries);

/// <summary>
/// The mirror's rows paired with one primary version's: <see cref="PairedRows"/>; where both gave a label (classification,
/// an OIP string output), <see cref="LabelPairs"/> and the share that agree with its Wilson interval; where both gave a
/// number (regression, an OIP first output's first number), <see cref="ValuePairs"/>, the mean absolute difference and
/// Pearson's correlation (null below three pairs or when either side is constant). Immutable.
/// </summary>
public sealed record MirrorPairing(string Primary, long PairedRows, long LabelPairs, Estimate? Agreement, long ValuePairs, double? MeanAbsoluteDifference, double? Correlation);

/// <summary>What a <see cref="VariantTest"/> found at α = 0.05.</summary>
public static class Verdicts
{
    /// <summary>The significance level of every variant test.</summary>
    public const double Alpha = 0.05;

    public const string Better = "better";

    public const string Worse = "worse";

    public const string NoSignificantDifference = "no_significant_difference";

    /// <summary>Either side had fewer rows than the minimum (requests: Monitoring:MinimumWindowRows; labelled rows: Monitoring:MinimumFeedbackRows).</summary>
    public const string NotEnoughRows = "not_enough_rows";

    /// <summary>The verdict on a test: significant at <see cref="Alpha"/> and in the direction that is better or worse.</summary>
    public static string Of(DifferenceTest test, bool higherIsBetter)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (test.PValue >= Alpha || test.Difference == 0)
        {
            return NoSignificantDifference;
        }

        return (test.Difference > 0) == higherIsBetter ? Better : Worse;
    }

    /// <summary>Human words for a verdict (the HTML page).</summary>
    public static string Describe(string verdict) => verdict switch
    {
        Better => "better",
        Worse => "worse",
        NoSignificantDifference => "no significant difference",
        NotEnoughRows => "not enough rows",
        _ => verdict,
    };
}
