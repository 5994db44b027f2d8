namespace Serverless.Orchestrations.BatchScoring;

/// <summary>One chunk of the input: the bytes [Start, End) of the blob, starting at a line start.</summary>
public sealed record ChunkRange(int Index, long Start, long End);

/// <summary>
/// The planning activity's answer: the model version every chunk uses (resolved once, so an alias moved
/// mid-job cannot mix versions), the input's format and header, and the chunks.
/// </summary>
public sealed record BatchPlan(
    string Model,
    string ModelVersion,
    string Format,
    string? Header,
    long InputBytes,
    IReadOnlyList<ChunkRange> Chunks);
