using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Core.Serving;

/// <summary>
/// Turns a model name and optional version into a registered <see cref="ModelVersion"/>: an explicit version
/// as is; no version means the version <see cref="ServingOptions.DefaultAlias"/> points at, else the latest. When the
/// default alias splits traffic, <see cref="RouteAsync"/> answers the split (<see cref="ModelRoute"/>) and
/// <see cref="ResolveAsync"/> its primary (the version with the largest weight).
/// Thread-safe. Answers are fresh for <see cref="ServingOptions.ResolutionCacheSeconds"/>; after that the
/// cached answer is still served while one background refresh asks the registry (stale-while-revalidate, for
/// at most <see cref="MaxStaleness"/>), so no request on the hot path waits for storage. Changes made through
/// this process drop the cached answers at once.
/// </summary>
public sealed class ModelResolver
{
    /// <summary>How long past its freshness an answer may still be served while it is being refreshed.</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromMinutes(5);

    /// <summary>Alias resolutions share the cache under this prefix (a version can never start with it).</summary>
    private const string AliasKeyPrefix = ":";

    private readonly ConcurrentDictionary<(string Name, string? Version), Entry> _cache = new();
    private readonly ConcurrentDictionary<(string Name, string? Version), Task> _refreshing = new();
    private readonly IModelRegistry _registry;
    private readonly ServingOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly long _freshTicks;
    private readonly long _staleTicks;

    public ModelResolver(IModelRegistry registry, IOptions<ServingOptions> options, TimeProvider clock, ILogger<ModelResolver>? logger = null)
    {
        _registry = registry;
        _options = options.Value;
        _clock = clock;
        _logger = logger ?? NullLogger<ModelResolver>.Instance;
        _freshTicks = (long)(_options.ResolutionCacheSeconds * (double)clock.TimestampFrequency);
        _staleTicks = _freshTicks + (long)(MaxStaleness.TotalSeconds * clock.TimestampFrequency);
        _registry.ModelChanged += Invalidate;
    }

    /// <summary>Resolves (a split: its primary) or throws <see cref="ServingException"/> (NotFound) naming what is missing.</summary>
    public ValueTask<ModelVersion> ResolveAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var route = RouteAsync(name, version, cancellationToken);
        return route.IsCompletedSuccessfully ? ValueTask.FromResult(route.Result.Primary) : PrimaryAsync(route);

        static async ValueTask<ModelVersion> PrimaryAsync(ValueTask<ModelRoute> route) => (await route.ConfigureAwait(false)).Primary;
    }

    /// <summary>
    /// The route of a request: an explicit version's, else the default alias's (one version or its split), else the latest's.
    /// NotFound as <see cref="ResolveAsync"/>. A cached answer completes synchronously without allocating.
    /// </summary>
    public ValueTask<ModelRoute> RouteAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var key = (name, version);
        if (_freshTicks > 0 && _cache.TryGetValue(key, out var cached))
        {
            var age = _clock.GetTimestamp() - cached.Stored;
            if (age < _freshTicks)
            {
                return ValueTask.FromResult(cached.Route);
            }

            if (age < _staleTicks)
            {
                RefreshInBackground(key);
                return ValueTask.FromResult(cached.Route);
            }
        }

        return new ValueTask<ModelRoute>(ResolveFromRegistryAsync(key, cancellationToken));
    }

    /// <summary>
    /// The version an alias of a model points at (a split: its primary), cached as other resolutions are; AliasNotFound when the
    /// alias does not exist (no fall-back to the latest: a graph that names an alias means that alias).
    /// </summary>
    public ValueTask<ModelVersion> ResolveAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        var route = RouteAsync(name, AliasKeyPrefix + alias, cancellationToken);
        return route.IsCompletedSuccessfully ? ValueTask.FromResult(route.Result.Primary) : PrimaryAsync(route);

        static async ValueTask<ModelVersion> PrimaryAsync(ValueTask<ModelRoute> route) => (await route.ConfigureAwait(false)).Primary;
    }

    /// <summary>Forgets every cached resolution of a model.</summary>
    public void Invalidate(string name)
    {
        foreach (var key in _cache.Keys)
        {
            if (key.Name == name)
            {
                _cache.TryRemove(key, out _);
            }
        }
    }

    private void RefreshInBackground((string Name, string? Version) key)
    {
        if (_refreshing.ContainsKey(key))
        {
            return;
        }

        var refresh = new Task<Task>(async () =>
        {
            try
            {
                await ResolveFromRegistryAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ServingException)
            {
                _cache.TryRemove(key, out _);
            }
            catch (Exception e)
            {
                _logger.LogWarning("Refreshing the resolution of {Model} {Version} failed; the cached answer is kept: {Reason}",
                    key.Name, key.Version ?? "(default)", e.Message);
            }
            finally
            {
                _refreshing.TryRemove(key, out _);
            }
        });
        if (_refreshing.TryAdd(key, refresh))
        {
            refresh.Start(TaskScheduler.Default);
        }
    }

    private async Task<ModelRoute> ResolveFromRegistryAsync((string Name, string? Version) key, CancellationToken cancellationToken)
    {
        var (name, version) = key;
        ModelIdentifiers.ValidateName(name);
        ModelRoute resolved;
        if (version is not null && version.StartsWith(AliasKeyPrefix, StringComparison.Ordinal))
        {
            resolved = await ResolveAliasRouteAsync(name, version[AliasKeyPrefix.Length..], fallBackToLatest: false, cancellationToken).ConfigureAwait(false);
        }
        else if (version is not null)
        {
            resolved = ModelRoute.Single(await _registry.GetExistingVersionAsync(name, version, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            resolved = await ResolveAliasRouteAsync(name, _options.DefaultAlias, fallBackToLatest: true, cancellationToken).ConfigureAwait(false);
        }

        if (_freshTicks > 0)
        {
            _cache[key] = new Entry(resolved, _clock.GetTimestamp());
        }

        return resolved;
    }

    /// <summary>
    /// An alias's route (the default alias's for unversioned requests, falling back to the latest), with its mirror. A split's versions are read one by one; one that is gone (deleted in a race the
    /// registry's delete check lost) leaves the split to the others, and a split with none left falls back to the latest (unmirrored),
    /// as a one-version alias whose version is gone does; a mirror version that is gone is no mirror.
    /// </summary>
    private async Task<ModelRoute> ResolveAliasRouteAsync(string name, string aliasName, bool fallBackToLatest, CancellationToken cancellationToken)
    {
        var alias = await _registry.GetAliasAsync(name, aliasName, cancellationToken).ConfigureAwait(false);
        if (alias is not null)
        {
            var versions = new List<ModelVersion>(alias.Traffic.Shares.Count);
            var weights = new List<int>(alias.Traffic.Shares.Count);
            foreach (var share in alias.Traffic.Shares)
            {
                if (await _registry.GetVersionAsync(name, share.Version, cancellationToken).ConfigureAwait(false) is { } target)
                {
                    versions.Add(target);
                    weights.Add(share.Weight);
                }
            }

            if (weights.Any(w => w > 0))
            {
                var route = ModelRoute.Split(versions, weights, alias.Traffic.RoutingKey ?? AliasTraffic.DefaultRoutingKey);
                return alias.Traffic.Mirror is { } mirror && await _registry.GetVersionAsync(name, mirror.Version, cancellationToken).ConfigureAwait(false) is { } shadow
                    ? route.WithMirror(shadow, mirror.Percent)
                    : route;
            }
        }

        if (!fallBackToLatest)
        {
            throw ServingException.AliasNotFound($"Model '{name}' has no alias '{aliasName}' (or none of its versions is left).");
        }

        var latest = await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        return latest.Count > 0 ? ModelRoute.Single(latest[^1]) : throw ServingException.ModelNotFound($"Model '{name}' not found.");
    }

    private readonly record struct Entry(ModelRoute Route, long Stored);
}
