namespace Serverless.Core.Training.Tracking;

/// <summary>
/// One sweep as tracked: what was asked (the request JSON), on which data (fingerprint, row counts), how it went
/// (status, trial counts, best trial and value) and what came of it (registered version, promotion). Immutable.
/// </summary>
public sealed record SweepRecord
{
    /// <summary>Saved by the start, before the orchestration is scheduled (it holds a slot of the concurrent sweeps).</summary>
    public const string Starting = "starting";

    public const string Running = "running";

    public const string Completed = "completed";

    public const string Failed = "failed";

    /// <summary>Found ended by the Durable runtime (e.g. terminated) while the record still said it ran.</summary>
    public const string Ended = "ended";

    public required string SweepId { get; init; }

    /// <summary><c>starting</c>, <c>running</c>, <c>completed</c>, <c>failed</c> or <c>ended</c> (<see cref="Ended"/>).</summary>
    public required string Status { get; init; }

    public required string ModelName { get; init; }

    public required string Dataset { get; init; }

    public required string Target { get; init; }

    public required string Task { get; init; }

    public required string Metric { get; init; }

    /// <summary>The sweep request as submitted (JSON), so the run can be reproduced.</summary>
    public string? RequestJson { get; init; }

    /// <summary>SHA-256 of the dataset's bytes.</summary>
    public string? DataFingerprint { get; init; }

    public long TrainRows { get; init; }

    public long ValidationRows { get; init; }

    public int TrialsTotal { get; init; }

    public int TrialsSucceeded { get; init; }

    public int TrialsFailed { get; init; }

    public string? BestTrialId { get; init; }

    public double? BestValue { get; init; }

    public string? RegisteredVersion { get; init; }

    public bool Promoted { get; init; }

    public string? PromotionReason { get; init; }

    public string? Error { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    public DateTimeOffset? CompletedUtc { get; init; }
}
