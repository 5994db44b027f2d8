using System.Runtime.CompilerServices;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;

namespace Serverless.Core.Tabular;

/// <summary>
/// The parsed, bound manifest of each loaded model, kept alongside it: entries are keyed by the
/// <see cref="LoadedModel"/> instance (weakly, so they go when the session cache drops the model) and by the
/// manifest's SHA-256, so the hot path reads no blob and a version whose manifest was registered (or replaced
/// after a delete and re-register) is read afresh. Thread-safe; two concurrent misses may both read the blob.
/// </summary>
public sealed class TabularModelCache
{
    private readonly ConditionalWeakTable<LoadedModel, Entry> _entries = new();
    private readonly IModelRegistry _registry;

    public TabularModelCache(IModelRegistry registry)
    {
        _registry = registry;
    }

    /// <summary>
    /// The bound manifest for <paramref name="model"/>, which was loaded for <paramref name="version"/> (the
    /// resolved version, whose <see cref="ModelVersion.ManifestSha256"/> says which manifest applies). Throws
    /// BadRequest when the version has no manifest.
    /// </summary>
    public async ValueTask<TabularModel> GetAsync(LoadedModel model, ModelVersion version, CancellationToken cancellationToken)
    {
        var sha256 = version.ManifestSha256 ?? throw NoManifest(version);
        if (_entries.TryGetValue(model, out var cached) && cached.ManifestSha256 == sha256)
        {
            return cached.Model;
        }

        var manifest = await _registry.GetManifestAsync(version, cancellationToken).ConfigureAwait(false) ?? throw NoManifest(version);
        var bound = TabularModel.Bind(manifest, model.Version.Inputs, model.Version.Outputs);
        _entries.AddOrUpdate(model, new Entry(sha256, bound));
        return bound;
    }

    /// <summary>The records API's answer for a version without a manifest.</summary>
    public static ServingException NoManifest(ModelVersion version) => ServingException.BadRequest(
        $"Model '{version.Name}' version '{version.Version}' has no manifest, so the records API cannot map rows to its inputs. " +
        $"Register one with PUT /api/models/{version.Name}/versions/{version.Version}/manifest, " +
        $"or send tensors to the Open Inference Protocol API (POST /api/v2/models/{version.Name}/versions/{version.Version}/infer).");

    private sealed record Entry(string ManifestSha256, TabularModel Model);
}
