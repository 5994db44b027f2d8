using System.Text.Json.Serialization;
using Serverless.Core.Features;
using Serverless.Core.Models;

namespace Serverless.Functions.Features;

/// <summary>
/// A feature set declaration: the entity key column(s) rows are found by, the features with their types (numeric or categorical), and
/// how long a value stays servable after its event time.
/// </summary>
public sealed record FeatureSetBody(
    IReadOnlyList<string> EntityKeys,
    IReadOnlyList<FeatureSetFeatureBody> Features,
    long TtlSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null);

/// <summary>One declared feature: <c>type</c> is numeric or categorical.</summary>
public sealed record FeatureSetFeatureBody(string Name, string Type);

/// <summary>A declared feature set version, with the SHA-256 of its canonical declaration.</summary>
public sealed record FeatureSetVersionResponse(
    string Name,
    string Version,
    IReadOnlyList<string> EntityKeys,
    IReadOnlyList<FeatureSetFeatureBody> Features,
    long TtlSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    string Sha256,
    DateTimeOffset CreatedUtc)
{
    public static FeatureSetVersionResponse From(FeatureSetDefinition set) => new(set.Name, set.Version, set.EntityKeys,
        set.Features.Select(f => new FeatureSetFeatureBody(f.Name, f.Type == FeatureType.Numeric ? "numeric" : "categorical")).ToArray(),
        set.TtlSeconds, set.Description, set.Sha256, set.CreatedUtc);
}

/// <summary>A feature set's versions, in version order.</summary>
public sealed record FeatureSetVersionsResponse(string Name, IReadOnlyList<FeatureSetVersionResponse> Versions);

/// <summary>
/// Rows to write, as JSON: each object names the key column(s), <c>event_time</c> (ISO 8601, UTC when no offset is given) and
/// any of the set's features (numbers or strings; left out or null: not written).
/// </summary>
public sealed record FeatureRowsBody(IReadOnlyList<IReadOnlyDictionary<string, System.Text.Json.JsonElement>> Rows);

/// <summary>
/// What a write did: <c>rows</c> accepted; <c>keys</c> distinct entity keys; <c>entities_written</c> online entities changed;
/// <c>values_updated</c> feature values replaced; <c>values_kept</c> values not newer than the stored ones (left as they were);
/// <c>history_blobs</c> the history blobs holding the rows (in the history container).
/// </summary>
public sealed record FeatureRowsResponse(
    string Name,
    string Version,
    int Rows,
    int Keys,
    int EntitiesWritten,
    int ValuesUpdated,
    int ValuesKept,
    IReadOnlyList<string> HistoryBlobs)
{
    public static FeatureRowsResponse From(FeatureWriteResult result) => new(result.Set.Name, result.Set.Version, result.Rows, result.Online.Keys,
        result.Online.EntitiesWritten, result.Online.ValuesUpdated, result.Online.ValuesKept, result.HistoryBlobs);
}

/// <summary>
/// The body that starts materialisation (all optional; an empty body takes every default): either the event dates (UTC, <c>yyyy-MM-dd</c>,
/// inclusive) of the history to materialise (default: all of it) and history blobs per activity (default 25, 1 to 500), or a
/// <c>source</c> file to load (<c>container/path</c> in a data container, CSV with a header row or JSON Lines, one row per line, as
/// <c>format</c> or its extension says) in chunks of about <c>chunk_rows</c> rows (default 10,000, 100 to 100,000); activities at once
/// (default 4, 1 to 32). Unknown fields are refused.
/// </summary>
public sealed record StartMaterialisationBody(DateOnly? From, DateOnly? To, int? BlobsPerChunk, int? MaxParallelism, string? Source = null,
    string? Format = null, int? ChunkRows = null);
