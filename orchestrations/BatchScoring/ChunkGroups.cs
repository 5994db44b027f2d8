namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// A slice of chunks handed to a sub-orchestration, so no orchestration's history grows past ~1,000 events: the request
/// and the plan's facts once, and each chunk with the number of its first data row (null when rows carry ids). The
/// sub-orchestration makes each chunk's <see cref="ChunkWork"/>, so the slice is stored once, not once per chunk.
/// </summary>
public sealed record ScoreGroup(BatchScoringRequest Request, BatchPlan Plan, IReadOnlyList<ChunkRange> Chunks, IReadOnlyList<long>? FirstRows,
    int MaxParallelism)
{
    /// <summary>A group of consecutive work items (all of one request and plan).</summary>
    public static ScoreGroup Of(IReadOnlyList<ChunkWork> work, int maxParallelism) =>
        new(work[0].Request, work[0].Plan, work.Select(w => w.Chunk).ToList(),
            work[0].FirstRow is null ? null : work.Select(w => w.FirstRow!.Value).ToList(), maxParallelism);

    /// <summary>Each chunk's work item.</summary>
    public IReadOnlyList<ChunkWork> Work() => Chunks.Select((chunk, i) => new ChunkWork(Request, Plan, chunk, FirstRows?[i])).ToList();
}

/// <summary>A slice of chunks whose data rows a sub-orchestration counts.</summary>
public sealed record CountGroup(string Input, IReadOnlyList<ChunkRange> Chunks, int MaxParallelism);

/// <summary>One chunk to count: the input blob and the byte range.</summary>
public sealed record CountWork(string Input, ChunkRange Chunk);
