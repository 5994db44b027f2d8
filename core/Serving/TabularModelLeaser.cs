using System.Runtime.CompilerServices;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Tabular;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Serving;

/// <summary>
/// The one place a tabular model is leased, for the records API, batch scoring and model evaluation alike: resolve
/// the version (an explicit version as is, else the default alias, else the latest; see <see cref="ModelResolver"/>),
/// refuse a version without a manifest (BadRequest, before any session is loaded), lease its warm session from
/// <see cref="ModelSessionCache"/> and bind its manifest to the signature. Bound manifests are kept beside each loaded
/// model (weakly, so they go when the session cache drops the model) and keyed by the manifest's SHA-256, so the hot
/// path reads no blob and a version whose manifest was registered later (or replaced after a delete and re-register)
/// is read afresh. Thread-safe; one instance per process; two concurrent misses may both read the manifest blob.
/// </summary>
public sealed class TabularModelLeaser
{
    private readonly ConditionalWeakTable<LoadedModel, Bound> _bound = new();
    private readonly ModelResolver _resolver;
    private readonly ModelSessionCache _sessions;
    private readonly IModelRegistry _registry;

    private readonly TabularStepCatalog _steps;

    /// <param name="steps">The app's code steps, which manifests name; none when null.</param>
    public TabularModelLeaser(ModelResolver resolver, ModelSessionCache sessions, IModelRegistry registry, TabularStepCatalog? steps = null)
    {
        _resolver = resolver;
        _sessions = sessions;
        _registry = registry;
        _steps = steps ?? TabularStepCatalog.Empty;
    }

    /// <summary>The version <paramref name="name"/> and <paramref name="version"/> resolve to (NotFound naming what is missing).</summary>
    public ValueTask<ModelVersion> ResolveAsync(string name, string? version, CancellationToken cancellationToken) =>
        _resolver.ResolveAsync(name, version, cancellationToken);

    /// <summary>Resolves, then leases as <see cref="LeaseAsync(ModelVersion, CancellationToken)"/>. Dispose the lease once.</summary>
    public async ValueTask<TabularModelLease> LeaseAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(name, version, cancellationToken).ConfigureAwait(false);
        return await LeaseAsync(resolved, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Leases the warm session of a resolved version with its bound manifest. BadRequest when the version has no
    /// manifest or the manifest does not fit the model; load failures as <see cref="ModelSessionCache.AcquireAsync"/>.
    /// Dispose the lease once.
    /// </summary>
    public async ValueTask<TabularModelLease> LeaseAsync(ModelVersion resolved, CancellationToken cancellationToken)
    {
        _ = resolved.ManifestSha256 ?? throw NoManifest(resolved);
        var lease = await _sessions.AcquireAsync(resolved, cancellationToken).ConfigureAwait(false);
        try
        {
            return new TabularModelLease(resolved, lease, await BindAsync(resolved, lease.Model, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The manifest of <paramref name="resolved"/> bound to its leased <paramref name="model"/> (read once per loaded model
    /// and manifest, then kept beside it): how the records API maps rows, and how the inference log names the features and
    /// reads the predictions of an Open Inference Protocol request to a tabular model. BadRequest as <see cref="LeaseAsync(ModelVersion, CancellationToken)"/>.
    /// </summary>
    public async ValueTask<TabularModel> BindAsync(ModelVersion resolved, LoadedModel model, CancellationToken cancellationToken)
    {
        var sha256 = resolved.ManifestSha256 ?? throw NoManifest(resolved);
        if (!_bound.TryGetValue(model, out var bound) || bound.ManifestSha256 != sha256)
        {
            var manifest = await _registry.GetManifestAsync(resolved, cancellationToken).ConfigureAwait(false) ?? throw NoManifest(resolved);
            bound = new Bound(sha256, TabularModel.Bind(manifest, model.Version.Inputs, model.Version.Outputs, _steps));
            _bound.AddOrUpdate(model, bound);
        }

        return bound.Tabular;
    }

    /// <summary>The answer for a version without a manifest: it names how to register one, or to use the tensor API instead.</summary>
    public static ServingException NoManifest(ModelVersion version) => ServingException.BadRequest(
        $"Model '{version.Name}' version '{version.Version}' has no manifest, so the records API cannot map rows to its inputs. " +
        $"Register one with PUT /api/models/{version.Name}/versions/{version.Version}/manifest, " +
        $"or send tensors to the Open Inference Protocol API (POST /api/v2/models/{version.Name}/versions/{version.Version}/infer).");

    private sealed record Bound(string ManifestSha256, TabularModel Tabular);
}
