using Serverless.Core.Retraining;

namespace Serverless.Functions.Retraining;

/// <summary>A model's retraining policy as stored (its ETag is the ETag header).</summary>
public sealed record RetrainingPolicyResponse(string Model, DateTimeOffset? UpdatedUtc, RetrainingPolicy Policy);

/// <summary>The optional body of a run's start, approval or rejection: why, in words (at most 500 characters).</summary>
public sealed record RetrainingNoteRequest(string? Reason);

/// <summary>A model's retraining runs, newest first (at most 100).</summary>
public sealed record RetrainingRunListResponse(string Model, IReadOnlyList<RetrainingRunSummary> Runs);

/// <summary>
/// One run in a list: <c>status</c> running, waiting_for_approval, completed or failed; <c>stage</c> where it is (or ended);
/// <c>decision</c> promoted, retired, rolled_back, rejected, skipped or failed, with why.
/// </summary>
public sealed record RetrainingRunSummary(
    string RunId,
    string Status,
    string Stage,
    string Trigger,
    string? Champion,
    string? Challenger,
    string? Decision,
    string? Reason,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? CompletedUtc)
{
    public static RetrainingRunSummary From(RetrainingRun run) => new(run.RunId, run.Status, run.Stage, run.Trigger.Kind, run.Champion, run.Sweep?.Challenger,
        run.Decision, run.Reason, run.CreatedUtc, run.CompletedUtc);
}

/// <summary>
/// A run's whole lineage: what triggered it (the finding and its report), the data (window, rows, fingerprint), the sweep
/// and its leaderboard, the approval, the shadow and rollout readings (the live metric of both versions on their labelled
/// rows), and the decision with why.
/// </summary>
public sealed record RetrainingRunResponse(
    string RunId,
    string Model,
    string Alias,
    string Status,
    string Stage,
    RetrainingTrigger Trigger,
    string? Champion,
    RetrainingDataset? Data,
    RetrainingSweep? Sweep,
    RetrainingApproval? Approval,
    IReadOnlyList<RetrainingStep> Steps,
    string? Decision,
    string? Reason,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? CompletedUtc)
{
    public static RetrainingRunResponse From(RetrainingRun run) => new(run.RunId, run.Model, run.Alias, run.Status, run.Stage, run.Trigger, run.Champion, run.Data,
        run.Sweep, run.Approval, run.Steps, run.Decision, run.Reason, run.CreatedUtc, run.CompletedUtc);
}
