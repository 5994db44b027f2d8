using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>
/// The registry on Azure Storage: model bytes in a blob container at <c>{name}/{version}/{sha256}/model.onnx</c>
/// (content-addressed, so a lost registration race can never leave an entity pointing at someone else's bytes),
/// a version's manifest beside them at <c>{name}/{version}/{sha256}/manifest.json</c>, metadata in a table (see
/// <see cref="RegistryEntities"/>). Thread-safe. Aliases and their history: ModelRegistry.Aliases.cs.
/// </summary>
public sealed partial class ModelRegistry : IModelRegistry
{
    private readonly BlobContainerClient _container;
    private readonly TableClient _table;
    private readonly OnnxModelInspector _inspector;
    private readonly TimeProvider _clock;
    private readonly StorageInitializer _initializer;

    public ModelRegistry(BlobContainerClient container, TableClient table, OnnxModelInspector inspector, TimeProvider clock)
    {
        _container = container;
        _table = table;
        _inspector = inspector;
        _clock = clock;
        _initializer = new StorageInitializer(async ct =>
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
            await _table.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        });
    }

    public event Action<string>? ModelChanged;

    public async Task<RegistrationResult> RegisterAsync(string name, string version, byte[] modelBytes, string? description, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        if (modelBytes.Length == 0)
        {
            throw ServingException.BadRequest("The request body is empty: send the ONNX model's bytes as the body.");
        }

        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(modelBytes));
        var existing = await GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing.IsGraph ? throw NameHoldsOtherKind(name, graph: false) : SameBytesOrConflict(existing, sha256);
        }

        var inspection = _inspector.Inspect(modelBytes);
        await CheckNameHoldsAsync(name, graph: false, cancellationToken).ConfigureAwait(false);
        var registered = new ModelVersion(name, version, sha256, modelBytes.Length, _clock.GetUtcNow(), description,
            inspection.Signature.Inputs, inspection.Signature.Outputs, $"{name}/{version}/{sha256}/model.onnx")
        {
            SessionBytes = inspection.SessionBytes,
        };
        var blob = _container.GetBlobClient(registered.BlobName);
        await blob.UploadAsync(BinaryData.FromBytes(modelBytes), overwrite: true, cancellationToken).ConfigureAwait(false);
        try
        {
            await _table.AddEntityAsync(RegistryEntities.ToEntity(registered), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var winner = await GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.Conflict($"Model '{name}' version '{version}' is being registered concurrently; retry.");
            if (winner.BlobName != registered.BlobName)
            {
                await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return SameBytesOrConflict(winner, sha256);
        }

        ModelChanged?.Invoke(name);
        return new RegistrationResult(RegistrationOutcome.Created, registered);
    }

    public async Task<ModelVersion?> GetVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        var entity = await GetEntityAsync(name, RegistryEntities.VersionRowKey(version), cancellationToken).ConfigureAwait(false);
        return entity is null ? null : RegistryEntities.ToVersion(entity);
    }

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<ModelVersion>();
        var filter = RegistryEntities.PrefixFilter(name, RegistryEntities.VersionPrefix);
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            versions.Add(RegistryEntities.ToVersion(entity));
        }

        versions.Sort((a, b) => VersionOrder.Instance.Compare(a.Version, b.Version));
        return versions;
    }

    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var versions = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        var select = new[] { "PartitionKey", "RowKey", RegistryEntities.KindProperty, "Version", "Alias" };
        var filter = TableClient.CreateQueryFilter($"Kind eq {RegistryEntities.VersionKind} or Kind eq {RegistryEntities.AliasKind}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var name = entity.PartitionKey;
            if (entity.GetString(RegistryEntities.KindProperty) == RegistryEntities.AliasKind)
            {
                (aliases.TryGetValue(name, out var map) ? map : aliases[name] = new(StringComparer.Ordinal))
                    [entity.GetString("Alias")] = entity.GetString("Version");
            }
            else
            {
                (versions.TryGetValue(name, out var list) ? list : versions[name] = []).Add(entity.GetString("Version"));
            }
        }

        var models = new List<ModelSummary>(versions.Count);
        foreach (var (name, list) in versions)
        {
            list.Sort(VersionOrder.Instance);
            IReadOnlyDictionary<string, string> modelAliases = aliases.TryGetValue(name, out var map) ? map : new Dictionary<string, string>();
            models.Add(new ModelSummary(name, list, modelAliases, list[^1]));
        }

        return models;
    }

    public async Task DeleteVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        var entity = await GetEntityAsync(name, RegistryEntities.VersionRowKey(version), cancellationToken).ConfigureAwait(false)
            ?? throw await this.VersionNotFoundAsync(name, $"Model '{name}' has no version '{version}'.", cancellationToken).ConfigureAwait(false);
        var pointing = (await ListAliasesAsync(name, cancellationToken).ConfigureAwait(false))
            .Where(a => a.Traffic.Holds(version)).Select(a => a.Alias).ToList();
        if (pointing.Count > 0)
        {
            throw ServingException.Conflict(
                $"Model '{name}' version '{version}' is the target (or mirror) of alias(es) {string.Join(", ", pointing)}; move or delete them first.");
        }

        var pinning = await PinningGraphsAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (pinning.Count > 0)
        {
            throw ServingException.Conflict(
                $"Model '{name}' version '{version}' is pinned by graph version(s) {string.Join(", ", pinning)}; delete those graph versions first.");
        }

        await _table.DeleteEntityAsync(name, entity.RowKey, entity.ETag, cancellationToken).ConfigureAwait(false);
        var deleted = RegistryEntities.ToVersion(entity);
        if (deleted.IsGraph)
        {
            await RemoveGraphPinsAsync(entity, cancellationToken).ConfigureAwait(false);
        }

        await _container.GetBlobClient(deleted.BlobName).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (deleted.ManifestSha256 is not null)
        {
            await _container.GetBlobClient(deleted.ManifestBlobName).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        ModelChanged?.Invoke(name);
    }

    public async Task<ManifestRegistrationResult> SetManifestAsync(string name, string version, ModelManifest manifest, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        var entity = await GetEntityAsync(name, RegistryEntities.VersionRowKey(version), cancellationToken).ConfigureAwait(false)
            ?? throw await this.VersionNotFoundAsync(name, $"Model '{name}' has no version '{version}'; register the model before its manifest.", cancellationToken).ConfigureAwait(false);
        var stored = RegistryEntities.ToVersion(entity);
        ManifestValidator.Validate(manifest, stored);
        var canonical = manifest.ToCanonicalJson();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(canonical));
        if (stored.ManifestSha256 is not null)
        {
            return await SameManifestOrConflictAsync(stored, manifest, canonical, sha256, cancellationToken).ConfigureAwait(false);
        }

        // Claim the version first (conditional on the entity read above), then write the blob: only the claim's
        // winner, or a caller with the same manifest, ever writes manifest.json, so it always matches the entity.
        var claim = new TableEntity(name, entity.RowKey) { [RegistryEntities.ManifestSha256Property] = sha256 };
        try
        {
            await _table.UpdateEntityAsync(claim, entity.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            var current = await GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.VersionNotFound($"Model '{name}' has no version '{version}': it was deleted concurrently.");
            if (current.ManifestSha256 is null)
            {
                throw ServingException.Conflict($"Model '{name}' version '{version}' changed while its manifest was being registered; retry.");
            }

            return await SameManifestOrConflictAsync(current, manifest, canonical, sha256, cancellationToken).ConfigureAwait(false);
        }

        var registered = stored with { ManifestSha256 = sha256 };
        await UploadManifestAsync(registered, canonical, cancellationToken).ConfigureAwait(false);
        ModelChanged?.Invoke(name);
        return new ManifestRegistrationResult(RegistrationOutcome.Created, registered, manifest, canonical);
    }

    public async Task<ModelManifest?> GetManifestAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (version.ManifestSha256 is null)
        {
            return null;
        }

        try
        {
            var content = await _container.GetBlobClient(version.ManifestBlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var bytes = content.Value.Content.ToMemory();
            CheckIntegrity(version, "manifest bytes", bytes.Span, version.ManifestSha256);
            return ModelManifest.Parse(bytes.Span);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ServingException.Unavailable(
                $"The manifest of model '{version.Name}' version '{version.Version}' is being registered; retry, or PUT it again if that registration failed.");
        }
    }

    public async Task<byte[]> DownloadAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        var content = await _container.GetBlobClient(version.BlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        var bytes = content.Value.Content.ToArray();
        CheckIntegrity(version, "model bytes", bytes, version.Sha256);
        return bytes;
    }

    /// <summary>Throws IntegrityFailure unless <paramref name="stored"/> hashes to <paramref name="registeredSha256"/>.</summary>
    private static void CheckIntegrity(ModelVersion version, string what, ReadOnlySpan<byte> stored, string registeredSha256)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(stored, hash);
        var actual = Convert.ToHexStringLower(hash);
        if (!string.Equals(actual, registeredSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw ServingException.IntegrityFailure(
                $"Model '{version.Name}' version '{version.Version}' failed its integrity check: the stored {what} hash to sha256 {actual}, not the " +
                $"registered {registeredSha256}. The blob was changed outside the registry and nothing was served from it; re-register the version " +
                "(delete it, then register the original again).");
        }
    }

    private async Task<ManifestRegistrationResult> SameManifestOrConflictAsync(ModelVersion stored, ModelManifest manifest, byte[] canonical, string sha256,
        CancellationToken cancellationToken)
    {
        if (stored.ManifestSha256 != sha256)
        {
            throw ServingException.Conflict(
                $"Model '{stored.Name}' version '{stored.Version}' already has a different manifest (sha256 {stored.ManifestSha256}, this one {sha256}). " +
                "Manifests are immutable like versions: register the model as a new version with the new manifest.");
        }

        // Rewriting the same bytes repairs a registration that stopped between its claim and its upload.
        await UploadManifestAsync(stored, canonical, cancellationToken).ConfigureAwait(false);
        return new ManifestRegistrationResult(RegistrationOutcome.Unchanged, stored, manifest, canonical);
    }

    private Task UploadManifestAsync(ModelVersion version, byte[] canonical, CancellationToken cancellationToken) =>
        _container.GetBlobClient(version.ManifestBlobName).UploadAsync(BinaryData.FromBytes(canonical), overwrite: true, cancellationToken);

    private static RegistrationResult SameBytesOrConflict(ModelVersion existing, string sha256) =>
        existing.Sha256 == sha256
            ? new RegistrationResult(RegistrationOutcome.Unchanged, existing)
            : throw ServingException.Conflict(
                $"Model '{existing.Name}' version '{existing.Version}' is already registered with other bytes " +
                $"(sha256 {existing.Sha256}, this body {sha256}). Versions are immutable: register a new version.");

    private async Task<TableEntity?> GetEntityAsync(string name, string rowKey, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(name, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }
}
