using System.Globalization;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Training.Tracking;

namespace Serverless.Core.Registry.Mlflow;

public sealed partial class MlflowModelRegistry
{
    private const int MaxRegisterAttempts = 10;

    /// <summary>
    /// Registers the ONNX model the request's source names as the model's next numeric version (validated as every registration is: nothing
    /// stored when refused), with the directory's manifest.json when it holds one (the version is removed again when the manifest does not
    /// fit it). RESOURCE_DOES_NOT_EXIST for an unknown registered model or run; INVALID_PARAMETER_VALUE for a source without an ONNX model.
    /// </summary>
    public async Task<ModelVersionView> CreateVersionAsync(ModelVersionRequest request, CancellationToken cancellationToken)
    {
        var name = Name(request.Name);
        var description = Description(request.Description);
        var tags = Tags(request.Tags);
        var runLink = TrackingLimits.Value(request.RunLink, ArtifactStore.MaxPathLength, "run_link");
        var userId = TrackingLimits.Value(request.UserId, TrackingLimits.MaxKeyLength, "user_id");
        var model = await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        var resolved = await _sources.ResolveAsync(request.Source, request.RunId, _maxModelBytes, cancellationToken).ConfigureAwait(false);
        var manifest = resolved.Manifest is null ? null : ModelManifest.Parse(resolved.Manifest);
        var registered = await RegisterNextAsync(name, resolved.Model, description, cancellationToken).ConfigureAwait(false);
        if (manifest is not null)
        {
            try
            {
                await _registry.SetManifestAsync(name, registered.Version, manifest, cancellationToken).ConfigureAwait(false);
            }
            catch (ServingException)
            {
                await _registry.DeleteVersionAsync(name, registered.Version, cancellationToken).ConfigureAwait(false);
                throw;
            }
        }

        var created = registered.CreatedUtc.ToUnixTimeMilliseconds();
        var meta = new ModelVersionMetadata(name, registered.Version, registered.Sha256, request.Source, TrackingStore.ArtifactScheme + "/" + resolved.ArtifactPath,
            resolved.RunId, runLink.Length == 0 ? null : runLink, description, tags, userId.Length == 0 ? null : userId, created, created);
        await _metadata.PutVersionAsync(meta, cancellationToken).ConfigureAwait(false);
        await ChangeModelAsync(model, m => m, cancellationToken).ConfigureAwait(false);
        return VersionView(registered, meta, []);
    }

    public async Task<ModelVersionView> GetVersionAsync(string? name, string? version, CancellationToken cancellationToken)
    {
        var (found, meta) = await FindVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        var aliases = await _registry.ListAliasesAsync(found.Name, cancellationToken).ConfigureAwait(false);
        return VersionView(found, meta, [.. aliases.Where(a => a.Version == found.Version).Select(a => a.Alias)]);
    }

    public async Task<ModelVersionView> UpdateVersionAsync(string? name, string? version, string? description, CancellationToken cancellationToken)
    {
        description = Description(description);
        await ChangeVersionAsync(name, version, m => m with { Description = description }, cancellationToken).ConfigureAwait(false);
        return await GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the version with its bytes; refused (INVALID_PARAMETER_VALUE) while an alias points at it or a graph pins it.</summary>
    public async Task DeleteVersionAsync(string? name, string? version, CancellationToken cancellationToken)
    {
        var (found, _) = await FindVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        await RefusedAsBadRequestAsync(() => _registry.DeleteVersionAsync(found.Name, found.Version, cancellationToken)).ConfigureAwait(false);
        await _metadata.DeleteVersionAsync(found.Name, found.Version, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetVersionTagAsync(string? name, string? version, string? key, string? value, CancellationToken cancellationToken)
    {
        key = TrackingLimits.Key(key, "key");
        value = TrackingLimits.Value(value, TrackingLimits.MaxExperimentTagValueLength, "value");
        await ChangeVersionAsync(name, version, m => m with { Tags = new Dictionary<string, string>(m.Tags, StringComparer.Ordinal) { [key] = value } },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteVersionTagAsync(string? name, string? version, string? key, CancellationToken cancellationToken)
    {
        key = TrackingLimits.Key(key, "key");
        await ChangeVersionAsync(name, version, m =>
        {
            var tags = new Dictionary<string, string>(m.Tags, StringComparer.Ordinal);
            tags.Remove(key);
            return m with { Tags = tags };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where the version's artifacts are (the source's artifact URI); INVALID_PARAMETER_VALUE for a version registered through the app's API.</summary>
    public async Task<string> GetDownloadUriAsync(string? name, string? version, CancellationToken cancellationToken)
    {
        var (found, meta) = await FindVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        return meta?.StorageLocation ?? throw ServingException.BadRequest(
            $"Model '{found.Name}' version '{found.Version}' was registered through the app's own API, not from MLflow artifacts: it has no artifact URI.");
    }

    private async Task<(ModelVersion Version, ModelVersionMetadata? Meta)> FindVersionAsync(string? name, string? version, CancellationToken cancellationToken)
    {
        name = Name(name);
        version = TrackingLimits.Required(version, "version");
        ModelIdentifiers.ValidateVersion(version, "version");
        var found = await _registry.GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.NotFound($"Model Version (name={name}, version={version}) not found");
        var meta = await _metadata.GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        return (found, meta?.Sha256 == found.Sha256 ? meta : null);
    }

    private async Task ChangeVersionAsync(string? name, string? version, Func<ModelVersionMetadata, ModelVersionMetadata> change, CancellationToken cancellationToken)
    {
        var (found, _) = await FindVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        var created = found.CreatedUtc.ToUnixTimeMilliseconds();
        var seed = new ModelVersionMetadata(found.Name, found.Version, found.Sha256, null, null, null, null, found.Description, NoTags, null, created, created);
        var now = Now;
        await _metadata.UpdateVersionAsync(found.Name, found.Version, () => seed,
            m => change(m.Sha256 == found.Sha256 ? m : seed) with { LastUpdatedTimestamp = now }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers the bytes as the next whole-number version (1 when there is none), moving on when a number is taken meanwhile.</summary>
    private async Task<ModelVersion> RegisterNextAsync(string name, byte[] model, string? description, CancellationToken cancellationToken)
    {
        var versions = await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        var next = versions.Select(v => long.TryParse(v.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1;
        for (var attempt = 0; ; attempt++, next++)
        {
            try
            {
                var result = await _registry.RegisterAsync(name, next.ToString(CultureInfo.InvariantCulture), model, description, cancellationToken).ConfigureAwait(false);
                if (result.Outcome == RegistrationOutcome.Created)
                {
                    return result.Version;
                }
            }
            catch (ServingException e) when (e.Kind == ServingErrorKind.Conflict && attempt < MaxRegisterAttempts)
            {
                // The number was taken meanwhile (another registration): try the next one.
            }

            if (attempt >= MaxRegisterAttempts)
            {
                throw ServingException.Conflict($"Model '{name}' kept getting new versions while this one was registered; retry.");
            }
        }
    }
}
