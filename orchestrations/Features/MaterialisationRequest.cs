namespace Serverless.Orchestrations.Features;

/// <summary>
/// Materialise a feature set version's history into its online store: the history blobs with event dates (UTC) in
/// [<see cref="From"/>, <see cref="To"/>] (either null: open), read <see cref="BlobsPerChunk"/> blobs to an activity, at most
/// <see cref="MaxParallelism"/> activities at once. Immutable; serialised into orchestration history.
/// </summary>
public sealed record MaterialisationRequest
{
    public const int DefaultBlobsPerChunk = 25;
    public const int MaxBlobsPerChunk = 500;
    public const int DefaultMaxParallelism = 4;
    public const int MaxMaxParallelism = 32;

    public required string Name { get; init; }

    public required string Version { get; init; }

    public DateOnly? From { get; init; }

    public DateOnly? To { get; init; }

    public int BlobsPerChunk { get; init; } = DefaultBlobsPerChunk;

    public int MaxParallelism { get; init; } = DefaultMaxParallelism;
}

/// <summary>
/// The work of one activity: parts of the history, each the blobs of one event date whose name (a SHA-256 in hex) starts with
/// <see cref="MaterialisationPart.Prefix"/> ("" for all of that date's blobs).
/// </summary>
public sealed record MaterialisationChunk(int Index, string Name, string Version, IReadOnlyList<MaterialisationPart> Parts);

/// <summary>A date's blobs, or the share of them whose name starts with <see cref="Prefix"/>.</summary>
public sealed record MaterialisationPart(DateOnly Date, string Prefix);

/// <summary>The plan: the chunks and how many history blobs they cover at planning time.</summary>
public sealed record MaterialisationPlan(IReadOnlyList<MaterialisationChunk> Chunks, int Blobs);

/// <summary>What one chunk did: blobs and rows read, and the online store's changes (<see cref="Core.Features.OnlineWriteResult"/>).</summary>
public sealed record MaterialisationChunkResult(int Index, int Blobs, long Rows, long EntitiesWritten, long ValuesUpdated, long ValuesKept);

/// <summary>The custom status while materialisation runs (<see cref="MaterialisationStages"/>).</summary>
public sealed record MaterialisationProgress(string Stage, int ChunksTotal, int ChunksDone, int BlobsTotal, long Rows, long ValuesUpdated, long ValuesKept);

/// <summary>The orchestration's output: totals and how long it took.</summary>
public sealed record MaterialisationResult(
    string Name,
    string Version,
    DateOnly? From,
    DateOnly? To,
    int Chunks,
    int Blobs,
    long Rows,
    long EntitiesWritten,
    long ValuesUpdated,
    long ValuesKept,
    DateTime StartedUtc,
    DateTime CompletedUtc);

/// <summary>The stages materialisation reports in its custom status, in order. Part of the API: the values never change.</summary>
public static class MaterialisationStages
{
    public const string Planning = "planning";

    public const string Materialising = "materialising";

    public const string Completed = "completed";
}
