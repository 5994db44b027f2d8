using Serverless.Core.Retraining;
using Serverless.Orchestrations.Training;

namespace Serverless.Orchestrations.Retraining;

/// <summary>
/// A retraining run's orchestration input, fixed at its start so replays agree: the run as created (with its ETag), the
/// policy, the sweep request built from its template (dataset and model set), the host's poll interval and trial settings,
/// and how long an approval is waited for (null: the policy's <c>guardrails.approval_timeout_minutes</c>).
/// </summary>
public sealed record RetrainingInput(
    RetrainingRun Run,
    RetrainingPolicy Policy,
    TrainingSweepRequest Sweep,
    string SweepJson,
    TimeSpan PollInterval,
    TimeSpan TrialPollInterval,
    TimeSpan TrialTimeout,
    int MaxTrials,
    TimeSpan? ApprovalTimeout = null);

/// <summary>How a run ended: its decision (<see cref="RetrainingDecisions"/>), why, and the challenger if one was registered.</summary>
public sealed record RetrainingOutcome(string RunId, string Decision, string Reason, string? Challenger);

/// <summary>What to export: the run, the policy's data, the sweep's target and features (null: the champion's manifest's), the champion, where to write, and the end of the window.</summary>
public sealed record ExportInput(string RunId, string Model, RetrainingData Data, string Target, IReadOnlyList<string>? Features, string Champion, string Dataset,
    DateTimeOffset NowUtc);

/// <summary>Mirror <see cref="Percent"/> % of the alias's requests to <see cref="Challenger"/> (0: remove the mirror).</summary>
public sealed record ShadowInput(string RunId, string Model, string Alias, string Champion, string Challenger, int Percent);

/// <summary>Start the policy's rollout of <see cref="Challenger"/> on the alias.</summary>
public sealed record RolloutInput(string RunId, string Model, string Alias, string Challenger, RetrainingRollout Rollout);

/// <summary>Read the challenger against the champion since <see cref="FromUtc"/>, as a shadow (mirror copies) or as served; with the rollout's state when not a shadow.</summary>
public sealed record ObserveInput(string Model, string Alias, string Champion, string Challenger, bool Shadow, DateTimeOffset FromUtc, DateTimeOffset NowUtc);

/// <summary>
/// A reading: the live comparison, and for a rollout its state (running, completed, rolled_back, aborted; null when the alias
/// has no rollout of the challenger), the challenger's weight and the rollout's latest note (its guard readings, or why it ended).
/// </summary>
public sealed record Observation(LiveComparison Comparison, string? RolloutState, int Weight, string? Note);

/// <summary>Take the challenger off the alias (abort its rollout, or move the alias back to the champion), recorded with <see cref="Reason"/>.</summary>
public sealed record RetireInput(string RunId, string Model, string Alias, string Champion, string Challenger, string Reason);

/// <summary>A running run's custom status: its id, status and stage.</summary>
public sealed record RetrainingProgress(string RunId, string Status, string Stage);
