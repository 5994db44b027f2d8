namespace Serverless.Core.Models;

/// <summary>
/// One registered, immutable version of a model: where its bytes live, their SHA-256 and size, and the
/// signature ONNX Runtime read from them when the version was registered, and whether a tabular manifest
/// (see <see cref="ModelManifest"/>) has been registered for it.
/// </summary>
public sealed record ModelVersion(
    string Name,
    string Version,
    string Sha256,
    long SizeBytes,
    DateTimeOffset CreatedUtc,
    string? Description,
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    string BlobName)
{
    /// <summary>A key that changes whenever the bytes behind name/version change (a delete and re-register).</summary>
    public string CacheKey => $"{Name}/{Version}/{Sha256}";

    /// <summary>SHA-256 (lower-case hex) of the canonical JSON of the version's manifest; null while it has none.</summary>
    public string? ManifestSha256 { get; init; }

    /// <summary>
    /// Bytes the version's session takes once optimised as served, measured at registration (see
    /// <see cref="Onnx.ModelInspection"/>); null for versions registered before it was measured.
    /// </summary>
    public long? SessionBytes { get; init; }

    /// <summary>An inference graph's version: the blob holds its spec (graph.json), the signature is the graph's, and nothing loads it as a session.</summary>
    public bool IsGraph { get; init; }

    /// <summary>Bytes the version counts for in the session cache's budget: its measured session, else its file size.</summary>
    public long LoadedBytes => SessionBytes ?? SizeBytes;

    /// <summary>Where the manifest's canonical JSON lives, beside the model's bytes.</summary>
    public string ManifestBlobName => $"{Name}/{Version}/{Sha256}/manifest.json";
}
