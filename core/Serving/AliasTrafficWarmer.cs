using Azure;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Storage;

namespace Serverless.Core.Serving;

/// <summary>
/// Loads and warms every version of a traffic split, and an alias's mirror version, in this process's <see cref="ModelSessionCache"/>
/// before the alias is stored, so a split never sends requests (nor a mirror copies) to a version that cannot load. A version that
/// is not registered is NotFound naming it; one that fails to load (bad bytes, integrity, warm-up) is BadRequest naming it and the
/// field (<c>traffic</c> or <c>mirror</c>); a storage outage is passed on as it is. An inference graph's version is warmed by loading
/// every member it resolves to (a member that cannot load or resolve is BadRequest as above). Versions are warmed one after another. Thread-safe.
/// </summary>
public sealed class AliasTrafficWarmer
{
    private readonly IModelRegistry _registry;
    private readonly ModelSessionCache _sessions;
    private readonly GraphService _graphs;

    public AliasTrafficWarmer(IModelRegistry registry, ModelSessionCache sessions, GraphService graphs)
    {
        _registry = registry;
        _sessions = sessions;
        _graphs = graphs;
    }

    /// <summary>
    /// Warms each version of <paramref name="traffic"/> when it is a split, and its mirror's version when it has one; one version
    /// is left as it is (loaded on its first request).
    /// </summary>
    public Task WarmAsync(string name, AliasTraffic traffic, CancellationToken cancellationToken) => WarmAsync(name, traffic, "traffic", cancellationToken);

    /// <summary>As above; a split's version that fails to load is a BadRequest naming <paramref name="field"/> (the body's field that asked for it).</summary>
    public async Task WarmAsync(string name, AliasTraffic traffic, string field, CancellationToken cancellationToken)
    {
        if (traffic.IsSplit)
        {
            foreach (var share in traffic.Shares)
            {
                await WarmAsync(name, share.Version, $"'{field}'", "split", cancellationToken).ConfigureAwait(false);
            }
        }

        if (traffic.Mirror is { } mirror)
        {
            await WarmAsync(name, mirror.Version, "'mirror'", "mirror", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WarmAsync(string name, string versionName, string field, string what, CancellationToken cancellationToken)
    {
        var version = await _registry.GetExistingVersionAsync(name, versionName, cancellationToken).ConfigureAwait(false);
        try
        {
            if (version.IsGraph)
            {
                await _graphs.WarmAsync(version, _sessions, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                using var lease = await _sessions.AcquireAsync(version, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or RequestFailedException))
        {
            var reason = e.Message.Length <= 300 ? e.Message : e.Message[..300] + "...";
            throw ServingException.BadRequest(
                $"{field}: version {DataText.Quote(versionName)} of model '{name}' failed to load, so the {what} was not stored: {reason}", e);
        }
    }
}
