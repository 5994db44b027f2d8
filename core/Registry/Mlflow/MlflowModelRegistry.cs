using System.Text.RegularExpressions;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Storage;
using Serverless.Core.Training.Tracking;

namespace Serverless.Core.Registry.Mlflow;

/// <summary>
/// MLflow's model registry on the app's own: a registered model is the app's model of that name (with a description and tags kept in
/// <see cref="MlflowRegistryMetadata"/>, so a model can exist before its first version, as in MLflow), a model version is a version of the
/// app's registry (registered from a run's ONNX artifacts, validated like any registration), an alias is the app's alias, moved with its
/// history. Models and versions registered through the app's own API appear here too. Failures are <see cref="ServingException"/>s in
/// MLflow's terms (NotFound: RESOURCE_DOES_NOT_EXIST; Conflict: RESOURCE_ALREADY_EXISTS; BadRequest: INVALID_PARAMETER_VALUE). Thread-safe.
/// Versions: MlflowModelRegistry.Versions.cs; aliases and searches: MlflowModelRegistry.Aliases.cs, MlflowModelRegistry.Search.cs.
/// </summary>
public sealed partial class MlflowModelRegistry
{
    public const int MaxDescriptionLength = 10_000;
    public const int DefaultSearchModels = 100;
    public const int MaxSearchModels = 1000;
    public const int DefaultSearchVersions = 10_000;
    public const int MaxSearchVersions = 200_000;
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    private readonly IModelRegistry _registry;
    private readonly MlflowRegistryMetadata _metadata;
    private readonly OnnxModelSource _sources;
    private readonly TimeProvider _time;
    private readonly long _maxModelBytes;

    public MlflowModelRegistry(IModelRegistry registry, MlflowRegistryMetadata metadata, OnnxModelSource sources, TimeProvider time, long maxModelBytes)
    {
        _registry = registry;
        _metadata = metadata;
        _sources = sources;
        _time = time;
        _maxModelBytes = maxModelBytes;
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates a registered model without versions; RESOURCE_ALREADY_EXISTS when the name is taken (by the app's registry too).</summary>
    public async Task<RegisteredModelView> CreateModelAsync(string? name, string? description, IReadOnlyList<KeyValuePair<string, string>> tags,
        CancellationToken cancellationToken)
    {
        name = Name(name);
        description = Description(description);
        var tagMap = Tags(tags);
        var now = Now;
        if ((await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false)).Count > 0
            || !await _metadata.TryAddModelAsync(new RegisteredModelMetadata(name, description, tagMap, now, now), cancellationToken).ConfigureAwait(false))
        {
            throw ServingException.Conflict($"Registered Model (name={name}) already exists.");
        }

        return await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RegisteredModelView> GetModelAsync(string? name, CancellationToken cancellationToken)
    {
        name = Name(name);
        var meta = await _metadata.GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        var aliases = await _registry.ListAliasesAsync(name, cancellationToken).ConfigureAwait(false);
        return await ComposeAsync(name, meta, aliases.ToDictionary(a => a.Alias, a => a.Version, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false)
            ?? throw ModelNotFound(name);
    }

    /// <summary>Sets the description (empty clears it).</summary>
    public async Task<RegisteredModelView> UpdateModelAsync(string? name, string? description, CancellationToken cancellationToken)
    {
        description = Description(description);
        var model = await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        await ChangeModelAsync(model, m => m with { Description = description }, cancellationToken).ConfigureAwait(false);
        return await GetModelAsync(model.Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the registered model with every version (bytes, manifests) and its MLflow metadata. Refused (INVALID_PARAMETER_VALUE) while it
    /// has aliases, since those serve traffic: delete them first.
    /// </summary>
    public async Task DeleteModelAsync(string? name, CancellationToken cancellationToken)
    {
        var model = await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        if (model.Aliases.Count > 0)
        {
            throw ServingException.BadRequest(
                $"Registered model '{model.Name}' has aliases ({DataText.List(model.Aliases.Keys)}), which serve traffic; delete them first (DELETE registered-models/alias).");
        }

        foreach (var version in await _registry.ListVersionsAsync(model.Name, cancellationToken).ConfigureAwait(false))
        {
            await RefusedAsBadRequestAsync(() => _registry.DeleteVersionAsync(model.Name, version.Version, cancellationToken)).ConfigureAwait(false);
        }

        await _metadata.DeleteModelAsync(model.Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetModelTagAsync(string? name, string? key, string? value, CancellationToken cancellationToken)
    {
        key = TrackingLimits.Key(key, "key");
        value = TrackingLimits.Value(value, TrackingLimits.MaxExperimentTagValueLength, "value");
        var model = await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        await ChangeModelAsync(model, m => m with { Tags = new Dictionary<string, string>(m.Tags, StringComparer.Ordinal) { [key] = value } }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Deletes a tag (none of that key is not an error, as in MLflow).</summary>
    public async Task DeleteModelTagAsync(string? name, string? key, CancellationToken cancellationToken)
    {
        key = TrackingLimits.Key(key, "key");
        var model = await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        await ChangeModelAsync(model, m =>
        {
            var tags = new Dictionary<string, string>(m.Tags, StringComparer.Ordinal);
            tags.Remove(key);
            return m with { Tags = tags };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest version for each stage asked (stages are not kept: every version is in stage "None").</summary>
    public async Task<IReadOnlyList<ModelVersionView>> GetLatestVersionsAsync(string? name, IReadOnlyList<string>? stages, CancellationToken cancellationToken)
    {
        var model = await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        return stages is not { Count: > 0 } || stages.Contains(NoStage, StringComparer.OrdinalIgnoreCase) ? model.LatestVersions : [];
    }

    /// <summary>The stage every version is in (MLflow's stages are deprecated; aliases replace them).</summary>
    public const string NoStage = "None";

    private async Task ChangeModelAsync(RegisteredModelView model, Func<RegisteredModelMetadata, RegisteredModelMetadata> change, CancellationToken cancellationToken)
    {
        var now = Now;
        await _metadata.UpdateModelAsync(model.Name, () => new RegisteredModelMetadata(model.Name, null, NoTags, model.CreationTimestamp, now),
            m => change(m) with { LastUpdatedTimestamp = now }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The model as MLflow shows it, or null when it has neither metadata nor a version.</summary>
    private async Task<RegisteredModelView?> ComposeAsync(string name, RegisteredModelMetadata? meta, IReadOnlyDictionary<string, string> aliases,
        CancellationToken cancellationToken)
    {
        var versions = await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        if (meta is null && versions.Count == 0)
        {
            return null;
        }

        var created = versions.Select(v => v.CreatedUtc.ToUnixTimeMilliseconds()).ToList();
        List<ModelVersionView> latest = [];
        if (versions.Count > 0)
        {
            var last = versions[^1];
            latest.Add(VersionView(last, await _metadata.GetVersionAsync(name, last.Version, cancellationToken).ConfigureAwait(false),
                [.. aliases.Where(a => a.Value == last.Version).Select(a => a.Key)]));
        }

        return new RegisteredModelView(name, meta?.CreationTimestamp ?? created.Min(), Math.Max(meta?.LastUpdatedTimestamp ?? 0, created.DefaultIfEmpty(0).Max()),
            meta?.Description, meta?.Tags ?? NoTags, latest, aliases);
    }

    private static ModelVersionView VersionView(ModelVersion version, ModelVersionMetadata? meta, IReadOnlyList<string> aliases)
    {
        meta = meta?.Sha256 == version.Sha256 ? meta : null;
        var created = version.CreatedUtc.ToUnixTimeMilliseconds();
        return new ModelVersionView(version.Name, version.Version, created, meta?.LastUpdatedTimestamp ?? created, meta?.UserId,
            meta is null ? version.Description : meta.Description, meta?.Source, meta?.RunId, meta?.RunLink, meta?.Tags ?? NoTags, [.. aliases.Order(StringComparer.Ordinal)]);
    }

    private static async Task RefusedAsBadRequestAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.Conflict)
        {
            // The app's conflicts here (an alias or a graph holds the version) are states to change first, not a name that exists.
            throw ServingException.BadRequest(e.Message);
        }
    }

    private static ServingException ModelNotFound(string name) => ServingException.NotFound($"Registered Model with name={name} not found");

    private static string Name(string? name, string field = "name")
    {
        name = TrackingLimits.Required(name, field);
        ModelIdentifiers.ValidateName(name, field);
        return name;
    }

    private static string? Description(string? description) => description is null ? null : TrackingLimits.Value(description, MaxDescriptionLength, "description");

    private static Dictionary<string, string> Tags(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            map[TrackingLimits.Key(key, "tags.key")] = TrackingLimits.Value(value, TrackingLimits.MaxExperimentTagValueLength, "tags.value");
        }

        MlflowRegistryMetadata.TagsJson(map);
        return map;
    }

    [GeneratedRegex("^[vV][0-9]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionLikeAlias();
}
