using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// The model version a batch job will score with, resolved when the request arrives: the named <c>version</c>, the
/// version the named <c>alias</c> points at, else the default alias's version, else the latest. A model, version or
/// alias that does not exist, both a version and an alias, or a version without the manifest the records path needs
/// is a BadRequest naming the field (a request body names them; the route exists), and so is a manifest taking features from feature
/// sets that cannot supply them now (a set version not declared, or declaring a feature otherwise than the manifest: checked once here,
/// not refused row by row). An inference graph needs no manifest of its own here (<see cref="BatchScoringStarter"/> checks that it can
/// be served as records). Thread-safe.
/// </summary>
public sealed class BatchModelCheck
{
    private readonly IModelRegistry _registry;
    private readonly ModelResolver _resolver;
    private readonly FeatureSetCatalog _featureSets;

    public BatchModelCheck(IModelRegistry registry, ModelResolver resolver, FeatureSetCatalog featureSets)
    {
        _registry = registry;
        _resolver = resolver;
        _featureSets = featureSets;
    }

    /// <summary>The version to score with; BadRequest naming <c>model</c>, <c>version</c> or <c>alias</c> when it cannot be.</summary>
    public async Task<ModelVersion> ResolveAsync(string model, string? version, string? alias, CancellationToken cancellationToken)
    {
        if (version is not null && alias is not null)
        {
            throw ServingException.BadRequest($"'version' and 'alias' both choose a version of model '{model}'; give one of them.");
        }

        ModelVersion resolved;
        string field;
        if (alias is not null)
        {
            field = "alias";
            var target = await _registry.GetAliasAsync(model, alias, cancellationToken).ConfigureAwait(false);
            if (target is null)
            {
                await ThrowIfNoModelAsync(model, cancellationToken).ConfigureAwait(false);
                var aliases = await _registry.ListAliasesAsync(model, cancellationToken).ConfigureAwait(false);
                throw ServingException.BadRequest($"'alias': alias '{alias}' of model '{model}' does not exist; " +
                                                  (aliases.Count == 0 ? "the model has no aliases." : $"its aliases are {DataText.List(aliases.Select(a => a.Alias))}."));
            }

            resolved = await _registry.GetVersionAsync(model, target.Version, cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.BadRequest($"'alias': alias '{alias}' of model '{model}' points at version '{target.Version}', which no longer exists.");
        }
        else if (version is not null)
        {
            field = "version";
            var found = await _registry.GetVersionAsync(model, version, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                var versions = await _registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false);
                throw versions.Count == 0
                    ? NoModel(model)
                    : ServingException.BadRequest($"'version': version '{version}' of model '{model}' does not exist; its versions are " +
                                                  $"{DataText.List(versions.Select(v => v.Version))}.");
            }

            resolved = found;
        }
        else
        {
            field = "model";
            try
            {
                resolved = await _resolver.ResolveAsync(model, null, cancellationToken).ConfigureAwait(false);
            }
            catch (ServingException e) when (e.Kind == ServingErrorKind.NotFound)
            {
                throw NoModel(model);
            }
        }

        if (resolved.IsGraph)
        {
            return resolved;
        }

        if (resolved.ManifestSha256 is null)
        {
            throw NoManifest(resolved, field, alias);
        }

        if (await _registry.GetManifestAsync(resolved, cancellationToken).ConfigureAwait(false) is { } manifest)
        {
            await CheckFeatureSetsAsync(resolved, manifest, field, cancellationToken).ConfigureAwait(false);
        }

        return resolved;
    }

    /// <summary>BadRequest naming the field when the manifest's feature sets cannot supply its features now.</summary>
    private async Task CheckFeatureSetsAsync(ModelVersion version, ModelManifest manifest, string field, CancellationToken cancellationToken)
    {
        if (manifest.FeatureSets is not { Count: > 0 })
        {
            return;
        }

        try
        {
            await _featureSets.CheckManifestAsync(manifest, cancellationToken).ConfigureAwait(false);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
            throw ServingException.BadRequest(
                $"'{field}': model '{version.Name}' version '{version.Version}' takes features from feature sets that cannot supply them, so no row could be scored: {e.Message}");
        }
    }

    private async Task ThrowIfNoModelAsync(string model, CancellationToken cancellationToken)
    {
        if ((await _registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            throw NoModel(model);
        }
    }

    private static ServingException NoModel(string model) =>
        ServingException.BadRequest($"'model': model '{model}' does not exist (no version of it is registered).");

    private static ServingException NoManifest(ModelVersion version, string field, string? alias) => ServingException.BadRequest(
        $"'{field}': model '{version.Name}' version '{version.Version}'{(alias is null ? "" : $" (alias '{alias}')")} has no manifest, which batch scoring " +
        $"needs to map rows to the model's inputs. Register one with PUT /api/models/{version.Name}/versions/{version.Version}/manifest.");
}
