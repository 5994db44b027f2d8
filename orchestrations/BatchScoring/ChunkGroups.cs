namespace Serverless.Orchestrations.BatchScoring;

/// <summary>A slice of chunks handed to a sub-orchestration, so no orchestration's history grows past ~1,000 events.</summary>
public sealed record ScoreGroup(IReadOnlyList<ChunkWork> Work, int MaxParallelism);

/// <summary>A slice of chunks whose data rows a sub-orchestration counts.</summary>
public sealed record CountGroup(string Input, IReadOnlyList<ChunkRange> Chunks, int MaxParallelism);

/// <summary>One chunk to count: the input blob and the byte range.</summary>
public sealed record CountWork(string Input, ChunkRange Chunk);
