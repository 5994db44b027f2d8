using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Features;

/// <summary>
/// Reads the online store through a short in-process cache: a key's record (or its absence) is reused for
/// <see cref="FeatureStoreOptions.CacheSeconds"/>, then read again. Misses of one call go to the store in one batched
/// <see cref="IOnlineFeatureStore.ReadAsync"/>. Writes through this process drop their keys (<see cref="Invalidate"/>). Past
/// <see cref="FeatureStoreOptions.MaxCachedEntities"/> stale entries are dropped, and if that is not enough, all of them.
/// Cached records are shared: callers never change them. Thread-safe.
/// </summary>
public sealed class OnlineFeatureCache
{
    private readonly IOnlineFeatureStore _store;
    private readonly TimeProvider _clock;
    private readonly long _freshTicks;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<(string Set, string Key), Entry> _entries = new();

    public OnlineFeatureCache(IOnlineFeatureStore store, IOptions<FeatureStoreOptions> options, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        _freshTicks = (long)(options.Value.CacheSeconds * (double)clock.TimestampFrequency);
        _capacity = options.Value.MaxCachedEntities;
    }

    /// <summary>Entries held now (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    /// <summary>The records of <paramref name="entityKeys"/> (distinct), in order; null where a key has none.</summary>
    public async ValueTask<FeatureRecord?[]> ReadAsync(FeatureSetDefinition set, IReadOnlyList<string> entityKeys, CancellationToken cancellationToken)
    {
        var records = new FeatureRecord?[entityKeys.Count];
        if (_freshTicks <= 0)
        {
            return await _store.ReadAsync(set, entityKeys, cancellationToken).ConfigureAwait(false);
        }

        var now = _clock.GetTimestamp();
        List<int>? misses = null;
        for (var i = 0; i < entityKeys.Count; i++)
        {
            if (_entries.TryGetValue((set.Id, entityKeys[i]), out var entry) && now - entry.ReadAt < _freshTicks)
            {
                records[i] = entry.Record;
            }
            else
            {
                (misses ??= []).Add(i);
            }
        }

        if (misses is null)
        {
            return records;
        }

        var keys = misses.Count == entityKeys.Count ? entityKeys : misses.Select(i => entityKeys[i]).ToArray();
        var read = await _store.ReadAsync(set, keys, cancellationToken).ConfigureAwait(false);
        MakeRoom(misses.Count, now);
        for (var m = 0; m < misses.Count; m++)
        {
            records[misses[m]] = read[m];
            _entries[(set.Id, keys[m])] = new Entry(read[m], now);
        }

        return records;
    }

    /// <summary>Forgets the cached records of <paramref name="entityKeys"/>, so this process reads what it just wrote.</summary>
    public void Invalidate(FeatureSetDefinition set, IEnumerable<string> entityKeys)
    {
        foreach (var key in entityKeys)
        {
            _entries.TryRemove((set.Id, key), out _);
        }
    }

    private void MakeRoom(int adding, long now)
    {
        if (_entries.Count + adding <= _capacity)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (now - entry.ReadAt >= _freshTicks)
            {
                _entries.TryRemove(key, out _);
            }
        }

        if (_entries.Count + adding > _capacity)
        {
            _entries.Clear();
        }
    }

    private sealed record Entry(FeatureRecord? Record, long ReadAt);
}
