using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Core.Serving;

/// <summary>
/// Turns a model name and optional version into a registered <see cref="ModelVersion"/>: an explicit version
/// as is; no version means the version <see cref="ServingOptions.DefaultAlias"/> points at, else the latest.
/// Answers are reused for <see cref="ServingOptions.ResolutionCacheSeconds"/> so the hot path makes no storage
/// call, and dropped at once when this process changes the model. Thread-safe.
/// </summary>
public sealed class ModelResolver
{
    private readonly ConcurrentDictionary<(string Name, string? Version), (ModelVersion Version, long Expires)> _cache = new();
    private readonly IModelRegistry _registry;
    private readonly ServingOptions _options;
    private readonly TimeProvider _clock;
    private readonly long _ttlTicks;

    public ModelResolver(IModelRegistry registry, IOptions<ServingOptions> options, TimeProvider clock)
    {
        _registry = registry;
        _options = options.Value;
        _clock = clock;
        _ttlTicks = (long)(_options.ResolutionCacheSeconds * (double)clock.TimestampFrequency);
        _registry.ModelChanged += Invalidate;
    }

    /// <summary>Resolves or throws <see cref="ServingException"/> (NotFound) naming what is missing.</summary>
    public ValueTask<ModelVersion> ResolveAsync(string name, string? version, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue((name, version), out var cached) && cached.Expires > _clock.GetTimestamp())
        {
            return ValueTask.FromResult(cached.Version);
        }

        return new ValueTask<ModelVersion>(ResolveFromRegistryAsync(name, version, cancellationToken));
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

    private async Task<ModelVersion> ResolveFromRegistryAsync(string name, string? version, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelVersion resolved;
        if (version is not null)
        {
            resolved = await _registry.GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.NotFound($"Model '{name}' has no version '{version}'.");
        }
        else
        {
            resolved = await ResolveDefaultAsync(name, cancellationToken).ConfigureAwait(false);
        }

        if (_ttlTicks > 0)
        {
            _cache[(name, version)] = (resolved, _clock.GetTimestamp() + _ttlTicks);
        }

        return resolved;
    }

    private async Task<ModelVersion> ResolveDefaultAsync(string name, CancellationToken cancellationToken)
    {
        var alias = await _registry.GetAliasAsync(name, _options.DefaultAlias, cancellationToken).ConfigureAwait(false);
        if (alias is not null)
        {
            var target = await _registry.GetVersionAsync(name, alias.Version, cancellationToken).ConfigureAwait(false);
            if (target is not null)
            {
                return target;
            }
        }

        var versions = await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        return versions.Count > 0 ? versions[^1] : throw ServingException.NotFound($"Model '{name}' not found.");
    }
}
