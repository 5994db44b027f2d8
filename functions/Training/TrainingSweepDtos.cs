using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;

namespace Serverless.Functions.Training;

/// <summary>Tracked sweeps, newest first (at most 100).</summary>
public sealed record SweepListResponse(IReadOnlyList<SweepSummary> Sweeps);

/// <summary>One sweep as tracked, the request it was started with, its leaderboard and every trial.</summary>
public sealed record SweepDetailResponse(SweepSummary Sweep, JsonElement? Request, IReadOnlyList<LeaderboardEntry> Leaderboard, IReadOnlyList<TrialSummary> Trials);

/// <summary>
/// A sweep's tracked state: <c>status</c> is <c>starting</c>, <c>running</c>, <c>completed</c>, <c>failed</c> or <c>ended</c>;
/// <c>data_fingerprint</c> is the SHA-256 of the dataset's bytes; <c>error</c> is the reason it failed, in words
/// (<see cref="ErrorText.Reason"/>).
/// </summary>
public sealed record SweepSummary(
    string SweepId,
    string Status,
    string ModelName,
    string Dataset,
    string Target,
    string Task,
    string Metric,
    string? DataFingerprint,
    long TrainRows,
    long ValidationRows,
    int TrialsTotal,
    int TrialsSucceeded,
    int TrialsFailed,
    string? BestTrialId,
    double? BestValue,
    string? RegisteredVersion,
    bool Promoted,
    string? PromotionReason,
    string? Error,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? CompletedUtc)
{
    public static SweepSummary From(SweepRecord s) => new(
        s.SweepId, s.Status, s.ModelName, s.Dataset, s.Target, s.Task, s.Metric, s.DataFingerprint, s.TrainRows, s.ValidationRows,
        s.TrialsTotal, s.TrialsSucceeded, s.TrialsFailed, s.BestTrialId, s.BestValue, s.RegisteredVersion, s.Promoted, s.PromotionReason,
        s.Error is null ? null : ErrorText.Reason(s.Error), s.CreatedUtc, s.CompletedUtc);
}

/// <summary>A place on the leaderboard (1 is best) and the trial's value of the sweep's metric.</summary>
public sealed record LeaderboardEntry(int Rank, string TrialId, string Algorithm, double Value);

/// <summary>
/// One tracked trial: <c>status</c> is <c>running</c>, <c>succeeded</c> or <c>failed</c> (<c>error</c> says why, in words);
/// <c>artifacts</c> is the folder of its outputs; <c>warm_start</c> says whether it continued from the sweep's <c>warm_start_from</c>
/// and <c>warm_start_note</c> how, or why it trained from scratch (both null when the sweep asked for no warm start).
/// </summary>
public sealed record TrialSummary(
    string TrialId,
    string Algorithm,
    JsonElement? Hyperparameters,
    string Status,
    IReadOnlyDictionary<string, double> Metrics,
    string? Error,
    string? Runner,
    string? ExecutionId,
    string? Artifacts,
    double? TrainSeconds,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? EndedUtc,
    bool? WarmStart = null,
    string? WarmStartNote = null)
{
    public static TrialSummary From(TrialRecord t) => new(
        t.TrialId, t.Algorithm, TrackedJson.Parse(t.HyperparametersJson), t.Status, t.Metrics, t.Error is null ? null : ErrorText.Reason(t.Error), t.Runner, t.ExecutionId, t.OutputUri,
        t.TrainSeconds, t.StartedUtc, t.EndedUtc, t.WarmStart, t.WarmStartNote);
}

/// <summary>JSON the experiment store keeps as text (a request, hyperparameters), returned as JSON.</summary>
internal static class TrackedJson
{
    public static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
