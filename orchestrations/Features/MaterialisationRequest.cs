namespace Serverless.Orchestrations.Features;

/// <summary>
/// Materialise into a feature set version's online store either its history, the history blobs with event dates (UTC) in
/// [<see cref="From"/>, <see cref="To"/>] (either null: open), read <see cref="BlobsPerChunk"/> blobs to an activity; or, with
/// <see cref="Source"/>, a CSV or JSON Lines file in a data container, cut into chunks of about <see cref="ChunkRows"/> rows whose rows
/// are written as <c>POST .../rows</c> writes them (history, then online store). At most <see cref="MaxParallelism"/> activities at
/// once. Immutable; serialised into orchestration history.
/// </summary>
public sealed record MaterialisationRequest
{
    public const int DefaultBlobsPerChunk = 25;
    public const int MaxBlobsPerChunk = 500;
    public const int DefaultMaxParallelism = 4;
    public const int MaxMaxParallelism = 32;
    public const int DefaultChunkRows = 10_000;
    public const int MinChunkRows = 100;
    public const int MaxChunkRows = 100_000;

    /// <summary>A file to load (<c>container/path</c> in a data container), or null to replay the history.</summary>
    public string? Source { get; init; }

    /// <summary>The file's format, <c>csv</c> (header row first) or <c>jsonl</c>; null: from its extension.</summary>
    public string? Format { get; init; }

    /// <summary>Rows per activity, about (a file only).</summary>
    public int ChunkRows { get; init; } = DefaultChunkRows;

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

/// <summary>
/// The work of one activity loading a file: the lines that start in bytes [<see cref="Start"/>, <see cref="End"/>) of
/// <see cref="Source"/> (cut at line starts), read under <see cref="Header"/> (CSV; null for JSON Lines).
/// </summary>
public sealed record FileMaterialisationChunk(int Index, string Name, string Version, string Source, string Format, string? Header, long Start, long End);

/// <summary>A file's plan: its chunks and its size in bytes.</summary>
public sealed record FileMaterialisationPlan(IReadOnlyList<FileMaterialisationChunk> Chunks, long Bytes);

/// <summary>What one chunk did: blobs and rows read, and the online store's changes (<see cref="Core.Features.OnlineWriteResult"/>).</summary>
/// <remarks><paramref name="Refused"/>: why a file chunk's rows were refused (none of them written), null when they were written.</remarks>
public sealed record MaterialisationChunkResult(int Index, int Blobs, long Rows, long EntitiesWritten, long ValuesUpdated, long ValuesKept, string? Refused = null);

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
    DateTime CompletedUtc,
    string? Source = null,
    long Bytes = 0);

/// <summary>The stages materialisation reports in its custom status, in order. Part of the API: the values never change.</summary>
public static class MaterialisationStages
{
    public const string Planning = "planning";

    public const string Materialising = "materialising";

    public const string Completed = "completed";

    /// <summary>Every chunk ran, and some chunks of a file had rows that were refused (the orchestration then fails naming them).</summary>
    public const string Refused = "refused";
}
