namespace Serverless.Core.Models;

/// <summary>
/// One registered, immutable version of a model: where its bytes live, their SHA-256 and size, and the
/// signature ONNX Runtime read from them when the version was registered.
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
}
