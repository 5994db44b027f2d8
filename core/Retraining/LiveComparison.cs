using System.Globalization;
using Serverless.Core.Training;

namespace Serverless.Core.Retraining;

/// <summary>
/// The challenger and the champion on live traffic since <paramref name="FromUtc"/>: their labelled predictions (feedback joined
/// by request id and row) and the metric (<paramref name="Metric"/>, computed by the monitor's live performance code, which is
/// the trainers' <see cref="ModelMetrics"/>) of each once it has enough rows; null values while it has not. Immutable.
/// </summary>
public sealed record LiveComparison(
    DateTimeOffset FromUtc,
    DateTimeOffset ReadUtc,
    string? Metric,
    double? ChallengerValue,
    double? ChampionValue,
    long ChallengerRows,
    long ChampionRows)
{
    public static LiveComparison Empty(DateTimeOffset from, DateTimeOffset now) => new(from, now, null, null, null, 0, 0);
}

/// <summary>What the live evidence says.</summary>
public enum LiveVerdict
{
    /// <summary>Not enough labelled predictions of one side yet.</summary>
    Waiting,

    /// <summary>The challenger's metric beats the champion's by more than the margin.</summary>
    Better,

    /// <summary>Enough evidence, and the challenger does not beat the champion by more than the margin.</summary>
    NotBetter,
}

/// <summary>Judges a <see cref="LiveComparison"/> by a policy's <see cref="RetrainingJudging"/>. Pure; thread-safe.</summary>
public static class RetrainingJudge
{
    public static (LiveVerdict Verdict, string Reason) Judge(LiveComparison comparison, RetrainingJudging judging)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(judging);
        var minimum = judging.MinLabelledRows;
        if (comparison.ChallengerRows < minimum || comparison.ChampionRows < minimum
            || comparison.Metric is not { } metric || comparison.ChallengerValue is not { } mine || comparison.ChampionValue is not { } theirs)
        {
            return (LiveVerdict.Waiting, $"waiting for feedback: {comparison.ChallengerRows} labelled predictions of the challenger and {comparison.ChampionRows} " +
                                         $"of the champion; each needs {minimum} (judge.min_labelled_rows)");
        }

        var figures = string.Create(CultureInfo.InvariantCulture,
            $"live {metric} {mine:G4} against the champion's {theirs:G4} ({comparison.ChallengerRows} and {comparison.ChampionRows} labelled rows), margin {judging.Margin:G4}");
        return MetricNames.IsBetter(metric, mine, theirs, judging.Margin)
            ? (LiveVerdict.Better, $"the challenger wins: {figures}")
            : (LiveVerdict.NotBetter, $"the challenger does not win: {figures}");
    }

    public static string Name(LiveVerdict verdict) => verdict switch
    {
        LiveVerdict.Better => "better",
        LiveVerdict.NotBetter => "not_better",
        _ => "waiting",
    };
}
