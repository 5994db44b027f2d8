namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// The orchestration's output: totals, where everything was written, and how long it took; for an inference graph, the member
/// versions every chunk scored with (<see cref="BatchScoringRequest.ResolvedMembers"/>).
/// </summary>
public sealed record BatchScoringResult(
    string Model,
    string ModelVersion,
    int Chunks,
    long RowsIn,
    long RowsOut,
    long BadRows,
    string Manifest,
    string? Merged,
    DateTime StartedUtc,
    DateTime CompletedUtc,
    IReadOnlyDictionary<string, string>? Members = null);

/// <summary>The custom status shown while the job runs.</summary>
public sealed record BatchScoringProgress(string Stage, int ChunksTotal, int ChunksDone, long RowsScored, long BadRows);

/// <summary>The custom status of <see cref="ScoreChunkGroupOrchestrator"/>: chunks of its group scored so far.</summary>
public sealed record ChunkGroupProgress(int ChunksDone, int ChunksTotal);
