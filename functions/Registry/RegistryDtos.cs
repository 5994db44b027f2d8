using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Models;
using Serverless.Core.Serving;

namespace Serverless.Functions.Registry;

/// <summary>A registered version as the registry routes answer it: what is stored, its signature, and whether (and how fast) it is loaded here.</summary>
public sealed record ModelVersionResponse(
    string Name,
    string Version,
    string Sha256,
    long SizeBytes,
    long? SessionBytes,
    DateTimeOffset CreatedUtc,
    string? Description,
    string Platform,
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    bool HasManifest,
    string? ManifestSha256,
    ServingState Serving)
{
    public static ModelVersionResponse From(ModelVersion v, ColdStartTimings? coldStart) => new(
        v.Name, v.Version, v.Sha256, v.SizeBytes, v.SessionBytes, v.CreatedUtc, v.Description, v.IsGraph ? ModelMetadata.GraphPlatform : ModelMetadata.OnnxPlatform,
        v.Inputs, v.Outputs,
        v.ManifestSha256 is not null, v.ManifestSha256,
        new ServingState(coldStart is not null, coldStart is null ? null : ColdStartMs.From(coldStart), coldStart?.LoadedUtc));
}

/// <summary>Whether this instance has the version loaded, and how long its load took.</summary>
public sealed record ServingState(bool Loaded, ColdStartMs? ColdStartMs, DateTimeOffset? LoadedUtc);

/// <summary>Milliseconds each stage of the load took (rounded to 0.01 ms).</summary>
public sealed record ColdStartMs(double BlobFetch, double SessionCreate, double Warmup, double Total)
{
    public static ColdStartMs From(ColdStartTimings t) =>
        new(Math.Round(t.BlobFetchMs, 2), Math.Round(t.SessionCreateMs, 2), Math.Round(t.WarmupMs, 2), Math.Round(t.TotalMs, 2));
}

/// <summary>A model's versions, oldest first.</summary>
public sealed record ModelVersionListResponse(string Name, IReadOnlyList<ModelVersionResponse> Versions);

/// <summary>Every model with its versions, aliases (alias → version) and latest version.</summary>
public sealed record ModelListResponse(IReadOnlyList<ModelSummary> Models);

/// <summary>
/// An alias and the version it points at; <c>etag</c> is what If-Match takes to move it safely (also the ETag header).
/// A split adds <c>traffic</c> (version → whole percent) and <c>routing_key</c> (the header that keeps a caller on one
/// version); its <c>version</c> is the version with the largest weight (the earliest in version order among equals).
/// <c>mirror</c> is the version a share of the alias's requests is copied to and scored by off the request path, or null.
/// <c>rollout</c> is the alias's latest rollout (GET and the rollout routes answer it; absent when the alias never had one).
/// </summary>
public sealed record ModelAliasResponse(
    string Name,
    string Alias,
    string Version,
    DateTimeOffset UpdatedUtc,
    string Etag,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? Traffic = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RoutingKey = null,
    AliasMirrorDocument? Mirror = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RolloutResponse? Rollout = null)
{
    public static ModelAliasResponse From(ModelAlias a) => new(a.ModelName, a.Alias, a.Version, a.UpdatedUtc, a.ETag,
        a.Traffic.IsSplit ? TrafficWeights.Of(a.Traffic) : null, a.Traffic.RoutingKey, AliasMirrorDocument.From(a.Traffic.Mirror));
}

/// <summary>
/// An alias's mirror: <c>percent</c> (1 to 100) of the requests the alias serves unversioned are copied to <c>version</c> (never
/// one of its traffic's versions) and scored there off the request path, logged under the primary's request id with the mirror mark.
/// </summary>
public sealed record AliasMirrorDocument(string Version, int Percent)
{
    public static AliasMirrorDocument? From(AliasMirror? mirror) => mirror is null ? null : new(mirror.Version, mirror.Percent);
}

/// <summary>
/// The body of <c>PUT models/{name}/aliases/{alias}</c>: either the version to point at (a string, or a number taken as its
/// text), or <c>traffic</c>, a split (version → whole percent from 0 to 100, summing to 100, 1 to 10 versions) with an
/// optional <c>routing_key</c> header name (default <c>x-routing-key</c>); and, optionally, why (at most 500 characters,
/// kept in the alias's history). A split of one version at 100 is stored as the one-version form. <c>mirror</c> copies a share
/// of the requests to another version; absent or null, the alias has no mirror (the PUT states the whole alias).
/// </summary>
public sealed record SetAliasRequest(string? Version, string? Reason, IReadOnlyDictionary<string, int>? Traffic = null, string? RoutingKey = null,
    AliasMirrorDocument? Mirror = null);

/// <summary>The optional body of <c>POST models/{name}/aliases/{alias}/rollback</c>: why (at most 500 characters, kept in the history).</summary>
public sealed record RollbackAliasRequest(string? Reason);

/// <summary>
/// One move of an alias: when, from which version to which (null: the alias did not exist before, or was deleted), by
/// whom as the app knew the caller (the Entra principal, the key level, or "sweep {instance id}"), why, and what kind
/// (set, delete, rollback, rollout_start, rollout_step). A move from or to a split adds <c>from_traffic</c>/<c>from_routing_key</c> or
/// <c>to_traffic</c>/<c>to_routing_key</c>; its <c>from_version</c>/<c>to_version</c> are the splits' largest-weight versions.
/// A move from or to a mirrored alias adds <c>from_mirror</c> or <c>to_mirror</c>.
/// </summary>
public sealed record AliasMoveResponse(
    DateTimeOffset AtUtc,
    string? FromVersion,
    string? ToVersion,
    string By,
    string? Reason,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? FromTraffic = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FromRoutingKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? ToTraffic = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ToRoutingKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AliasMirrorDocument? FromMirror = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AliasMirrorDocument? ToMirror = null)
{
    public static AliasMoveResponse From(AliasMove m) => new(m.AtUtc, m.FromVersion, m.ToVersion, m.By, m.Reason, AliasMoveKinds.Name(m.Kind),
        m.FromTraffic is { IsSplit: true } from ? TrafficWeights.Of(from) : null, m.FromTraffic?.RoutingKey,
        m.ToTraffic is { IsSplit: true } to ? TrafficWeights.Of(to) : null, m.ToTraffic?.RoutingKey,
        AliasMirrorDocument.From(m.FromTraffic?.Mirror), AliasMirrorDocument.From(m.ToTraffic?.Mirror));
}

internal static class TrafficWeights
{
    /// <summary>A split's weights by version, in version order (a dictionary enumerates, and so serializes, in insertion order).</summary>
    public static IReadOnlyDictionary<string, int> Of(AliasTraffic traffic) => traffic.Shares.ToDictionary(s => s.Version, s => s.Weight, StringComparer.Ordinal);
}

/// <summary>An alias's newest moves, newest first; <c>more</c> when older moves exist beyond <c>limit</c>.</summary>
public sealed record AliasHistoryResponse(string Name, string Alias, IReadOnlyList<AliasMoveResponse> Moves, bool More);

// The manifest is read and written by core (Tabular.ManifestJson, which refuses unknown fields and writes the canonical
// form, leaving out what is not set); these records are its shape for the OpenAPI document, and a test holds their
// field names equal to the ones the reader accepts.

/// <summary>
/// A tabular manifest: <c>task</c> (binary, multiclass or regression), the features in model order, how they reach the
/// model's inputs (<c>layout</c> tensor or per_feature), which outputs hold label, probability or score/value, the class
/// labels in probability-column order and the binary threshold (0 to 1, default 0.5); <c>pre</c> steps run on each row
/// before the model and <c>post</c> steps on each prediction, in order.
/// </summary>
public sealed record ManifestDocument(
    string Task,
    IReadOnlyList<ManifestFeatureDocument> Features,
    ManifestInputsDocument? Inputs,
    ManifestOutputsDocument Outputs,
    IReadOnlyList<string>? ClassLabels,
    double? Threshold,
    IReadOnlyList<ManifestFeatureSetDocument>? FeatureSets = null,
    IReadOnlyList<ManifestStepDocument>? Pre = null,
    IReadOnlyList<ManifestStepDocument>? Post = null);

/// <summary>
/// Model features whose values are looked up by entity key in a declared feature set version (core/Features) rather than sent: the request
/// then carries the set's key column(s); a value it does send wins.
/// </summary>
public sealed record ManifestFeatureSetDocument(string Name, string Version, IReadOnlyList<string> Features);

/// <summary>
/// One step, by <c>kind</c>, with an optional <c>name</c> (shown in answers and errors; default <c>pre[i]</c>/<c>post[i]</c>).
/// Pre: <c>derive</c> (<c>feature</c>, <c>expression</c>), <c>default</c> (<c>feature</c>, <c>value</c>: number or string
/// for a missing value), <c>clip</c> (<c>feature</c>, <c>min</c>, <c>max</c>), <c>code</c> (<c>step</c>: a registered C# step).
/// Post: <c>threshold</c> (binary: <c>segment</c> expression, <c>thresholds</c> by segment, <c>default</c>), <c>rule</c>
/// (<c>when</c> condition; <c>label</c> to answer and/or <c>annotation</c> to add), <c>label_map</c> (<c>map</c> of labels),
/// <c>code</c>. Expressions: features by name (<c>[a name]</c> with spaces), in post also <c>probability</c>, <c>label</c>,
/// <c>model_label</c>, <c>value</c>; numbers, 'texts', true/false; + - * / % **, comparisons, and/or/not, in, ?:, ??; functions
/// abs, ceiling, floor, round, truncate, sign, sqrt, exp, log, log10, pow, min, max, clip, if, in, is_missing.
/// </summary>
public sealed record ManifestStepDocument(
    string Kind,
    string? Name,
    string? Feature,
    string? Expression,
    JsonElement? Value,
    double? Min,
    double? Max,
    string? Step,
    string? Segment,
    IReadOnlyDictionary<string, double>? Thresholds,
    double? Default,
    string? When,
    string? Label,
    string? Annotation,
    IReadOnlyDictionary<string, string>? Map);

/// <summary>
/// One feature: <c>type</c> numeric (optional inclusive <c>min</c>/<c>max</c>) or categorical (<c>values</c>, any other
/// category refused); <c>allow_missing</c> passes a null, empty or absent value to the model as NaN or an empty string.
/// </summary>
public sealed record ManifestFeatureDocument(string Name, string Type, double? Min, double? Max, IReadOnlyList<string>? Values, bool? AllowMissing);

/// <summary><c>tensor</c>: one [N, F] input named <c>name</c>; <c>per_feature</c>: one input per feature, named like it.</summary>
public sealed record ManifestInputsDocument(string Layout, string? Name);

/// <summary>The model outputs holding the label, the probabilities, or the score (or value) of a regression.</summary>
public sealed record ManifestOutputsDocument(string? Label, string? Probability, string? Score, string? Value);
