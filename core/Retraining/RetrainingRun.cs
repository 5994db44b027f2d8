namespace Serverless.Core.Retraining;

/// <summary>
/// One retraining run and its lineage: what triggered it, the data it trained on, the sweep and its leaderboard, the
/// approval, the rollout steps with their readings, and the decision with why. Written by the run's orchestration only
/// (each write conditional on the ETag of the previous one, <see cref="RetrainingStore"/>); <see cref="Revision"/> counts
/// the writes. Immutable; JSON snake_case.
/// </summary>
public sealed record RetrainingRun
{
    public required string RunId { get; init; }

    public required string Model { get; init; }

    public required string Alias { get; init; }

    /// <summary>One of <see cref="RetrainingStatuses"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Where a running run is: exporting, training, waiting_for_approval, shadow, rollout, deciding; the last one reached once ended.</summary>
    public string Stage { get; init; } = RetrainingStages.Exporting;

    public required RetrainingTrigger Trigger { get; init; }

    public required DateTimeOffset CreatedUtc { get; init; }

    public DateTimeOffset? CompletedUtc { get; init; }

    /// <summary>The version the alias served when the run began (the champion).</summary>
    public string? Champion { get; init; }

    public RetrainingDataset? Data { get; init; }

    public RetrainingSweep? Sweep { get; init; }

    public RetrainingApproval? Approval { get; init; }

    /// <summary>Shadow and rollout readings, oldest first (a step's readings replace the previous ones of the same stage and weight).</summary>
    public IReadOnlyList<RetrainingStep> Steps { get; init; } = [];

    /// <summary>promoted, retired, rolled_back, rejected, skipped or failed; null while it runs.</summary>
    public string? Decision { get; init; }

    public string? Reason { get; init; }

    public int Revision { get; init; }

    /// <summary>The stored row's ETag (the next write is conditional on it); empty before it is stored.</summary>
    public string ETag { get; init; } = "";

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRunning => Status is RetrainingStatuses.Running or RetrainingStatuses.WaitingForApproval;
}

/// <summary>Why a run started: its kind (drift, decay, schedule, manual), in words, and the monitoring report of the finding.</summary>
public sealed record RetrainingTrigger(string Kind, string Message, string? ReportRunId = null, string? ReportVersion = null, string? Report = null, string? By = null);

/// <summary>
/// The exported training set: the blob (container/path), the traffic window, the labelled traffic rows and reference rows it
/// holds, its SHA-256 and the versions that served the traffic rows.
/// </summary>
public sealed record RetrainingDataset(
    string Dataset,
    string Source,
    DateTimeOffset? WindowStartUtc,
    DateTimeOffset? WindowEndUtc,
    long TrafficRows,
    long ReferenceRows,
    long UnlabelledRows,
    string Fingerprint,
    IReadOnlyList<string> Columns);

/// <summary>The sweep run as a sub-orchestration: its id, metric, leaderboard (best first), the challenger registered and whether it warm-started.</summary>
public sealed record RetrainingSweep(
    string SweepId,
    string Metric,
    IReadOnlyList<RetrainingTrial> Leaderboard,
    string? Challenger,
    double? ValidationValue,
    bool WarmStart,
    string WarmStartNote);

/// <summary>One place on the sweep's leaderboard.</summary>
public sealed record RetrainingTrial(string TrialId, string Algorithm, double Value);

/// <summary>A person's answer to an approval request, or the timeout's.</summary>
public sealed record RetrainingApproval(bool Approved, string By, string? Reason, DateTimeOffset AtUtc);

/// <summary>
/// One reading of a stage (shadow, or a rollout step at <see cref="Weight"/> %): the live metric of the challenger and the
/// champion on their labelled rows, the rollout's guard note, and what was decided then.
/// </summary>
public sealed record RetrainingStep(
    string Stage,
    int Weight,
    DateTimeOffset AtUtc,
    LiveComparison Comparison,
    string Verdict,
    string Note);

/// <summary>Statuses of a run.</summary>
public static class RetrainingStatuses
{
    public const string Running = "running";
    public const string WaitingForApproval = "waiting_for_approval";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>Stages of a run.</summary>
public static class RetrainingStages
{
    public const string Exporting = "exporting";
    public const string Training = "training";
    public const string Approval = "waiting_for_approval";
    public const string Shadow = "shadow";
    public const string Rollout = "rollout";
    public const string Done = "done";
}

/// <summary>A run's decisions.</summary>
public static class RetrainingDecisions
{
    public const string Promoted = "promoted";
    public const string Retired = "retired";
    public const string RolledBack = "rolled_back";
    public const string Rejected = "rejected";
    public const string Skipped = "skipped";
    public const string Failed = "failed";
}
