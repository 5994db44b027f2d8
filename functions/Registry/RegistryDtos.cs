using Serverless.Core.Models;
using Serverless.Core.Serving;

namespace Serverless.Functions.Registry;

/// <summary>The registry's JSON shapes (serialised snake_case by <see cref="Http.JsonBodyResult"/>).</summary>
internal static class RegistryDtos
{
    public static object Version(ModelVersion v, ColdStartTimings? coldStart) => new
    {
        name = v.Name,
        version = v.Version,
        sha256 = v.Sha256,
        size_bytes = v.SizeBytes,
        session_bytes = v.SessionBytes,
        created_utc = v.CreatedUtc,
        description = v.Description,
        platform = ModelMetadata.OnnxPlatform,
        inputs = v.Inputs,
        outputs = v.Outputs,
        has_manifest = v.ManifestSha256 is not null,
        manifest_sha256 = v.ManifestSha256,
        serving = new
        {
            loaded = coldStart is not null,
            cold_start_ms = coldStart is null ? null : new
            {
                blob_fetch = Math.Round(coldStart.BlobFetchMs, 2),
                session_create = Math.Round(coldStart.SessionCreateMs, 2),
                warmup = Math.Round(coldStart.WarmupMs, 2),
                total = Math.Round(coldStart.TotalMs, 2),
            },
            loaded_utc = coldStart?.LoadedUtc,
        },
    };

    public static object Alias(ModelAlias a) => new
    {
        name = a.ModelName,
        alias = a.Alias,
        version = a.Version,
        updated_utc = a.UpdatedUtc,
        etag = a.ETag,
    };

    public static object Summary(ModelSummary s) => new
    {
        name = s.Name,
        versions = s.Versions,
        aliases = s.Aliases,
        latest_version = s.LatestVersion,
    };
}
