using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Models;

namespace Serverless.Core.Serving;

/// <summary>
/// The process-wide cache of warm sessions, keyed by <see cref="ModelVersion.CacheKey"/> (name, version and
/// content hash). Thread-safe: a warm hit is lock-free; concurrent first requests for a version share one load
/// (single flight); a failed load is not cached. Over <see cref="ServingOptions.MaxLoadedSessions"/> or
/// <see cref="ServingOptions.MaxLoadedBytes"/> the least recently used sessions are evicted, each disposed once
/// its last lease is released.
/// </summary>
public sealed class ModelSessionCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LoadedModel>>> _entries = new(StringComparer.Ordinal);
    private readonly IModelLoader _loader;
    private readonly ServingOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ModelSessionCache> _logger;
    private readonly Lock _evictionGate = new();

    public ModelSessionCache(IModelLoader loader, IOptions<ServingOptions> options, TimeProvider clock, ILogger<ModelSessionCache> logger)
    {
        _loader = loader;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Returns a lease on the warm session for <paramref name="version"/>, loading it first if needed.</summary>
    public ValueTask<ModelLease> AcquireAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(version.CacheKey, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
        {
            var model = entry.Value.Result;
            if (model.TryAddReference())
            {
                model.LastUsed = _clock.GetTimestamp();
                return ValueTask.FromResult(new ModelLease(model));
            }
        }

        return new ValueTask<ModelLease>(AcquireSlowAsync(version, cancellationToken));
    }

    /// <summary>The loaded model for a version when it is warm, without loading it.</summary>
    public LoadedModel? TryGetLoaded(ModelVersion version) =>
        _entries.TryGetValue(version.CacheKey, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            ? entry.Value.Result
            : null;

    /// <summary>The models loaded right now.</summary>
    public IReadOnlyList<LoadedModel> Snapshot() =>
        _entries.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully).Select(e => e.Value.Result).ToList();

    public void Dispose()
    {
        foreach (var model in Snapshot())
        {
            model.Evict();
        }

        _entries.Clear();
    }

    private async Task<ModelLease> AcquireSlowAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(version.CacheKey,
                static (_, state) => new Lazy<Task<LoadedModel>>(() => state.Loader.LoadAsync(state.Version, CancellationToken.None)),
                (Loader: _loader, Version: version));
            LoadedModel model;
            try
            {
                model = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch when (entry.Value.IsFaulted || entry.Value.IsCanceled)
            {
                _entries.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(version.CacheKey, entry));
                throw;
            }

            if (model.TryAddReference())
            {
                model.LastUsed = _clock.GetTimestamp();
                EnforceBudget(version.CacheKey);
                return new ModelLease(model);
            }

            // Evicted between load and lease: the entry is gone, so the next round loads afresh.
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(version.CacheKey, entry));
        }
    }

    private void EnforceBudget(string keep)
    {
        lock (_evictionGate)
        {
            while (true)
            {
                var loaded = _entries
                    .Where(e => e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully)
                    .Select(e => (Key: e.Key, Model: e.Value.Value.Result))
                    .ToList();
                var bytes = loaded.Sum(e => e.Model.Version.SizeBytes);
                if (loaded.Count <= _options.MaxLoadedSessions && bytes <= _options.MaxLoadedBytes)
                {
                    return;
                }

                var victim = loaded.Where(e => e.Key != keep).OrderBy(e => e.Model.LastUsed).FirstOrDefault();
                if (victim.Model is null)
                {
                    return;
                }

                _entries.TryRemove(victim.Key, out _);
                victim.Model.Evict();
                _logger.LogInformation("Evicted model {Model} version {Version} (least recently used; {Count} loaded, {Bytes} bytes)",
                    victim.Model.Version.Name, victim.Model.Version.Version, loaded.Count, bytes);
            }
        }
    }
}
