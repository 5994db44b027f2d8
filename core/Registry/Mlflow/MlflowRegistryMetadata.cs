using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry.Mlflow;

/// <summary>A registered model's own MLflow metadata (the app's registry keeps no description or tags per model). Immutable.</summary>
public sealed record RegisteredModelMetadata(string Name, string? Description, IReadOnlyDictionary<string, string> Tags, long CreationTimestamp, long LastUpdatedTimestamp);

/// <summary>
/// What MLflow gave one version beyond the registry's own record: its source, run, tags, description, who created it. <see cref="Sha256"/> is
/// the registered bytes' hash, so metadata left by a version deleted through the app's API never attaches to a later version of the same number.
/// </summary>
public sealed record ModelVersionMetadata(string Name, string Version, string Sha256, string? Source, string? StorageLocation, string? RunId, string? RunLink, string? Description,
    IReadOnlyDictionary<string, string> Tags, string? UserId, long CreationTimestamp, long LastUpdatedTimestamp);

/// <summary>
/// The MLflow registry's metadata in <see cref="AppStorageNames.MlflowRegistryTable"/>: partition the model name, row <c>model</c> for the
/// registered model, <c>v:{version}</c> per version. Tags are one JSON property (at most <see cref="MaxTags"/> of them, and the JSON within a
/// Table string's 32K characters). Read-modify-writes are conditional on the ETag read and retried. Thread-safe.
/// </summary>
public sealed class MlflowRegistryMetadata
{
    public const int MaxTags = 100;
    private const int MaxTagsJsonLength = 30_000;
    private const string ModelRow = "model";
    private const string VersionPrefix = "v:";
    private const int MaxAttempts = 8;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TableClient _table;
    private readonly StorageInitializer _initializer;

    public MlflowRegistryMetadata(TableServiceClient tables)
    {
        _table = tables.GetTableClient(AppStorageNames.MlflowRegistryTable);
        _initializer = new StorageInitializer(ct => _table.CreateIfNotExistsAsync(ct));
    }

    public async Task<RegisteredModelMetadata?> GetModelAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, ModelRow, cancellationToken).ConfigureAwait(false) is { } entity ? ToModel(entity) : null;

    /// <summary>Adds the registered model's row; false when one exists.</summary>
    public async Task<bool> TryAddModelAsync(RegisteredModelMetadata model, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _table.AddEntityAsync(ToEntity(model), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Changes the registered model's row (<paramref name="seed"/> when there is none yet), conditional on what was read, retried on a race.</summary>
    public Task<RegisteredModelMetadata> UpdateModelAsync(string name, Func<RegisteredModelMetadata> seed, Func<RegisteredModelMetadata, RegisteredModelMetadata> change,
        CancellationToken cancellationToken) =>
        UpdateAsync(name, ModelRow, seed, change, ToModel, ToEntity, cancellationToken);

    public async Task<IReadOnlyList<RegisteredModelMetadata>> ListModelsAsync(CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var models = new List<RegisteredModelMetadata>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {ModelRow}"), cancellationToken: cancellationToken)
            .ConfigureAwait(false))
        {
            models.Add(ToModel(entity));
        }

        return models;
    }

    /// <summary>The metadata of the versions of <paramref name="name"/>, by version.</summary>
    public async Task<IReadOnlyDictionary<string, ModelVersionMetadata>> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var versions = new Dictionary<string, ModelVersionMetadata>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {name} and RowKey ge {VersionPrefix} and RowKey lt {"v;"}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var version = ToVersion(entity);
            versions[version.Version] = version;
        }

        return versions;
    }

    public async Task<ModelVersionMetadata?> GetVersionAsync(string name, string version, CancellationToken cancellationToken) =>
        await FindAsync(name, VersionPrefix + version, cancellationToken).ConfigureAwait(false) is { } entity ? ToVersion(entity) : null;

    public async Task PutVersionAsync(ModelVersionMetadata version, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _table.UpsertEntityAsync(ToEntity(version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes a version's row (<paramref name="seed"/> when there is none yet), conditional on what was read, retried on a race.</summary>
    public Task<ModelVersionMetadata> UpdateVersionAsync(string name, string version, Func<ModelVersionMetadata> seed,
        Func<ModelVersionMetadata, ModelVersionMetadata> change, CancellationToken cancellationToken) =>
        UpdateAsync(name, VersionPrefix + version, seed, change, ToVersion, ToEntity, cancellationToken);

    public async Task DeleteVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _table.DeleteEntityAsync(name, VersionPrefix + version, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every row of the model (its own and its versions').</summary>
    public async Task DeleteModelAsync(string name, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entity in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {name}"), select: ["PartitionKey", "RowKey"],
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await _table.DeleteEntityAsync(name, entity.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The tags as stored: BadRequest past <see cref="MaxTags"/> or the row's room.</summary>
    public static string TagsJson(IReadOnlyDictionary<string, string> tags)
    {
        var json = JsonSerializer.Serialize(tags, Json);
        return tags.Count > MaxTags || json.Length > MaxTagsJsonLength
            ? throw ServingException.BadRequest($"A registered model or model version holds at most {MaxTags} tags of {MaxTagsJsonLength} characters in all.")
            : json;
    }

    private async Task<T> UpdateAsync<T>(string name, string row, Func<T> seed, Func<T, T> change, Func<TableEntity, T> read, Func<T, TableEntity> write,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var entity = await FindAsync(name, row, cancellationToken).ConfigureAwait(false);
            var changed = change(entity is null ? seed() : read(entity));
            try
            {
                if (entity is null)
                {
                    await _table.AddEntityAsync(write(changed), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _table.UpdateEntityAsync(write(changed), entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }

                return changed;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // A concurrent change; read again.
            }
        }
    }

    private async Task<TableEntity?> FindAsync(string name, string row, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(name, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    private static TableEntity ToEntity(RegisteredModelMetadata model) => WithoutNulls(new(model.Name, ModelRow)
    {
        ["Description"] = model.Description,
        ["Tags"] = TagsJson(model.Tags),
        ["CreationTimestamp"] = model.CreationTimestamp,
        ["LastUpdatedTimestamp"] = model.LastUpdatedTimestamp,
    });

    private static RegisteredModelMetadata ToModel(TableEntity entity) => new(entity.PartitionKey, entity.GetString("Description"), Tags(entity),
        entity.GetInt64("CreationTimestamp") ?? 0, entity.GetInt64("LastUpdatedTimestamp") ?? 0);

    private static TableEntity ToEntity(ModelVersionMetadata version) => WithoutNulls(new(version.Name, VersionPrefix + version.Version)
    {
        ["Sha256"] = version.Sha256,
        ["Source"] = version.Source,
        ["StorageLocation"] = version.StorageLocation,
        ["RunId"] = version.RunId,
        ["RunLink"] = version.RunLink,
        ["Description"] = version.Description,
        ["Tags"] = TagsJson(version.Tags),
        ["UserId"] = version.UserId,
        ["CreationTimestamp"] = version.CreationTimestamp,
        ["LastUpdatedTimestamp"] = version.LastUpdatedTimestamp,
    });

    private static ModelVersionMetadata ToVersion(TableEntity entity) => new(entity.PartitionKey, entity.RowKey[VersionPrefix.Length..],
        entity.GetString("Sha256") ?? string.Empty, entity.GetString("Source"), entity.GetString("StorageLocation"), entity.GetString("RunId"), entity.GetString("RunLink"), entity.GetString("Description"),
        Tags(entity), entity.GetString("UserId"), entity.GetInt64("CreationTimestamp") ?? 0, entity.GetInt64("LastUpdatedTimestamp") ?? 0);

    private static TableEntity WithoutNulls(TableEntity entity)
    {
        foreach (var key in entity.Keys.Where(k => entity[k] is null).ToList())
        {
            entity.Remove(key);
        }

        return entity;
    }

    private static Dictionary<string, string> Tags(TableEntity entity) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(entity.GetString("Tags") ?? "{}", Json) ?? [];
}
