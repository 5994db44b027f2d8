namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// What to score: an input blob (<c>container/path</c>, CSV with a header row or JSON Lines), a model (name
/// plus version or alias; neither means the production alias, else the latest version), where to write
/// (<c>container/prefix</c>), and how to split the work. Immutable; serialised into orchestration history.
/// </summary>
public sealed record BatchScoringRequest
{
    public required string Input { get; init; }

    public required string Model { get; init; }

    public string? Version { get; init; }

    public string? Alias { get; init; }

    /// <summary>
    /// The version resolved from <see cref="Version"/>, <see cref="Alias"/> or the defaults when the job was started
    /// (<see cref="BatchScoringStarter"/>), which planning uses as is. Null in inputs recorded before the start resolved
    /// it: planning resolves those itself.
    /// </summary>
    public string? ResolvedVersion { get; init; }

    /// <summary>
    /// When <see cref="Model"/> is an inference graph: each member reference of the graph (as its spec writes it: <c>name@version</c>,
    /// <c>name:alias</c> or <c>name</c>) with the version it resolved to when the job was started. Every chunk scores with these
    /// versions, so a member alias moved mid-job cannot mix versions; the result repeats them. Null for a model.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ResolvedMembers { get; init; }

    /// <summary>
    /// The chunks (and their row counts, unless rows carry ids) when the start planned the input (<see cref="BatchStartPlanner"/>); null when
    /// the orchestration's planning and counting activities do. The orchestration drops it from the request its work items carry.
    /// </summary>
    public BatchStartPlan? StartPlan { get; init; }

    public required string Output { get; init; }

    /// <summary>"csv" or "jsonl"; taken from the input's extension when null.</summary>
    public string? Format { get; init; }

    /// <summary>Column carried to every output row; without it rows carry their 1-based row number.</summary>
    public string? IdColumn { get; init; }

    /// <summary>Target rows per chunk (one score activity each); chunks are cut at line starts, so sizes vary a little.</summary>
    public int ChunkRows { get; init; } = 10_000;

    /// <summary>Score activities running at once.</summary>
    public int MaxParallelism { get; init; } = 4;

    /// <summary>More malformed rows than this fails the job (they are still listed in the errors blobs).</summary>
    public long MaxBadRows { get; init; } = 1_000;

    /// <summary>
    /// Chunks one orchestration handles itself; beyond it counting and scoring fan out through sub-orchestrations
    /// of this many chunks each, so no history grows past about a thousand events.
    /// </summary>
    public int ChunksPerOrchestration { get; init; } = BatchScoringOrchestrator.DefaultGroupSize;

    /// <summary>Also write one merged <c>predictions.csv</c> beside the parts.</summary>
    public bool Merge { get; init; }
}
