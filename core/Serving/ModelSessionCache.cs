using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Serving;

/// <summary>
/// The process-wide cache of warm sessions, keyed by <see cref="ModelVersion.CacheKey"/> (name, version and
/// content hash). Thread-safe: a warm hit is lock-free; concurrent first requests for a version share one load
/// (single flight); a failed load answers every request with the same error for
/// <see cref="ServingOptions.FailedLoadRetrySeconds"/> before one tries again, so a model that cannot load costs
/// one attempt per period rather than one per request. Over <see cref="ServingOptions.MaxLoadedSessions"/> or
/// <see cref="ServingOptions.MaxLoadedBytes"/> (counting <see cref="ModelVersion.LoadedBytes"/>) the least recently
/// used sessions are evicted, each disposed once its last lease is released.
/// </summary>
public sealed class ModelSessionCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
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
        if (_entries.TryGetValue(version.CacheKey, out var entry) && entry.Loaded is { } model && model.TryAddReference())
        {
            model.LastUsed = _clock.GetTimestamp();
            return ValueTask.FromResult(new ModelLease(model));
        }

        return new ValueTask<ModelLease>(AcquireSlowAsync(version, cancellationToken));
    }

    /// <summary>The loaded model for a version when it is warm, without loading it.</summary>
    public LoadedModel? TryGetLoaded(ModelVersion version) =>
        _entries.TryGetValue(version.CacheKey, out var entry) ? entry.Loaded : null;

    /// <summary>The models loaded right now.</summary>
    public IReadOnlyList<LoadedModel> Snapshot() =>
        _entries.Values.Select(e => e.Loaded).OfType<LoadedModel>().ToList();

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
        if (version.IsGraph)
        {
            throw ServingException.BadRequest(
                $"'{version.Name}' version '{version.Version}' is an inference graph, not a model: serve it through v2/models/{version.Name}/infer.");
        }

        while (true)
        {
            var entry = _entries.GetOrAdd(version.CacheKey, static (_, state) => new Entry(state.Loader, state.Version), (Loader: _loader, Version: version));
            if (entry.FailedAt is { } failedAt && _clock.GetElapsedTime(failedAt).TotalSeconds >= _options.FailedLoadRetrySeconds)
            {
                // The failure has been answered for long enough: the next round loads afresh.
                _entries.TryRemove(new KeyValuePair<string, Entry>(version.CacheKey, entry));
                continue;
            }

            LoadedModel model;
            try
            {
                model = await entry.Load.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (entry.Load.Value.IsFaulted || entry.Load.Value.IsCanceled)
            {
                // Only the model's own failures (it does not load, it fails its integrity check) are remembered; a storage
                // outage or a timeout is transient, and the next request tries again.
                if (_options.FailedLoadRetrySeconds == 0 || entry.Load.Value.IsCanceled || e is not Errors.ServingException)
                {
                    _entries.TryRemove(new KeyValuePair<string, Entry>(version.CacheKey, entry));
                }
                else if (entry.MarkFailed(_clock.GetTimestamp()))
                {
                    _logger.LogWarning("Loading model {Model} version {Version} failed; requests get the same error for {Seconds} s: {Reason}",
                        version.Name, version.Version, _options.FailedLoadRetrySeconds, e.Message);
                }

                throw;
            }

            if (model.TryAddReference())
            {
                model.LastUsed = _clock.GetTimestamp();
                EnforceBudget(version.CacheKey);
                return new ModelLease(model);
            }

            // Evicted between load and lease: the entry is gone, so the next round loads afresh.
            _entries.TryRemove(new KeyValuePair<string, Entry>(version.CacheKey, entry));
        }
    }

    private void EnforceBudget(string keep)
    {
        lock (_evictionGate)
        {
            while (true)
            {
                var loaded = _entries
                    .Where(e => e.Value.Loaded is not null)
                    .Select(e => (Key: e.Key, Model: e.Value.Loaded!))
                    .ToList();
                var bytes = loaded.Sum(e => e.Model.Version.LoadedBytes);
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

    /// <summary>One version's load (started on first use) and, once it failed and someone saw it, when.</summary>
    private sealed class Entry
    {
        private long _failedAt;

        public Entry(IModelLoader loader, ModelVersion version)
        {
            Load = new Lazy<Task<LoadedModel>>(() => loader.LoadAsync(version, CancellationToken.None));
        }

        public Lazy<Task<LoadedModel>> Load { get; }

        /// <summary>The model when the load has succeeded.</summary>
        public LoadedModel? Loaded => Load.IsValueCreated && Load.Value.IsCompletedSuccessfully ? Load.Value.Result : null;

        /// <summary>The timestamp the failure was first seen at, or null while the load has not failed.</summary>
        public long? FailedAt => Interlocked.Read(ref _failedAt) is var at and not 0 ? at : null;

        /// <summary>Records when the failure was first seen; true for the caller that recorded it.</summary>
        public bool MarkFailed(long timestamp) => Interlocked.CompareExchange(ref _failedAt, Math.Max(timestamp, 1), 0) == 0;
    }
}
