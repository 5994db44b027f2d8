using Azure;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Storage;

namespace Serverless.Core.Serving;

/// <summary>
/// Loads and warms every version of a traffic split in this process's <see cref="ModelSessionCache"/> before the split is
/// stored, so a split never sends requests to a version that cannot load. A version that is not registered is NotFound
/// naming it; one that fails to load (bad bytes, integrity, warm-up) is BadRequest naming it; a storage outage is passed on
/// as it is. Versions are warmed one after another. Thread-safe.
/// </summary>
public sealed class AliasTrafficWarmer
{
    private readonly IModelRegistry _registry;
    private readonly ModelSessionCache _sessions;

    public AliasTrafficWarmer(IModelRegistry registry, ModelSessionCache sessions)
    {
        _registry = registry;
        _sessions = sessions;
    }

    /// <summary>Warms each version of <paramref name="traffic"/> when it is a split; one version is left as it is (loaded on its first request).</summary>
    public Task WarmAsync(string name, AliasTraffic traffic, CancellationToken cancellationToken) => WarmAsync(name, traffic, "traffic", cancellationToken);

    /// <summary>As above; a version that fails to load is a BadRequest naming <paramref name="field"/> (the body's field that asked for it).</summary>
    public async Task WarmAsync(string name, AliasTraffic traffic, string field, CancellationToken cancellationToken)
    {
        if (!traffic.IsSplit)
        {
            return;
        }

        foreach (var share in traffic.Shares)
        {
            var version = await _registry.GetExistingVersionAsync(name, share.Version, cancellationToken).ConfigureAwait(false);
            try
            {
                using var lease = await _sessions.AcquireAsync(version, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (OperationCanceledException or RequestFailedException))
            {
                var reason = e.Message.Length <= 300 ? e.Message : e.Message[..300] + "...";
                throw ServingException.BadRequest(
                    $"'{field}': version {DataText.Quote(share.Version)} of model '{name}' failed to load, so the split was not stored: {reason}", e);
            }
        }
    }
}
