using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Features;

/// <summary>
/// The online store on Azure Tables (<see cref="OnlineEntities"/>). Reads are point reads, issued together for a request's
/// distinct keys (at most <see cref="Concurrency"/> at a time): Azure Tables serves a filter of OR-ed keys as a partition scan
/// and allows 15 comparisons per filter, so point reads are the cheapest way to fetch many random keys. Writes read each key's
/// entity, merge (<see cref="FeatureRecord.Merge"/>) and write it back conditionally on its ETag (insert when absent), retrying
/// from the read on a concurrent change up to <see cref="MaxAttempts"/> times; a merge that changes nothing writes nothing.
/// The table is created on the first write, never by a read. Thread-safe.
/// </summary>
public sealed class TableOnlineFeatureStore : IOnlineFeatureStore
{
    /// <summary>Storage calls in flight at once for one read or write.</summary>
    public const int Concurrency = 16;

    /// <summary>Tries of one key's read-merge-write before a write gives up as contended (503).</summary>
    public const int MaxAttempts = 8;

    private readonly TableClient _table;
    private readonly StorageInitializer _initializer;

    public TableOnlineFeatureStore(TableClient table)
    {
        _table = table;
        _initializer = new StorageInitializer(async ct => await _table.CreateIfNotExistsAsync(ct).ConfigureAwait(false));
    }

    public async Task<FeatureRecord?[]> ReadAsync(FeatureSetDefinition set, IReadOnlyList<string> entityKeys, CancellationToken cancellationToken)
    {
        var records = new FeatureRecord?[entityKeys.Count];
        if (entityKeys.Count == 1)
        {
            records[0] = await ReadOneAsync(set, entityKeys[0], cancellationToken).ConfigureAwait(false);
            return records;
        }

        await Parallel.ForAsync(0, entityKeys.Count, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (i, ct) => records[i] = await ReadOneAsync(set, entityKeys[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        return records;
    }

    public async Task<OnlineWriteResult> WriteAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<string, FeatureRecord>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (byKey.TryGetValue(row.EntityKey, out var folded))
            {
                folded.Merge(row);
            }
            else
            {
                byKey[row.EntityKey] = row.Clone();
            }
        }

        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        int written = 0, updated = 0, kept = 0;
        await Parallel.ForEachAsync(byKey.Values, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (incoming, ct) =>
            {
                var (wrote, up, keep) = await WriteOneAsync(set, incoming, ct).ConfigureAwait(false);
                Interlocked.Add(ref written, wrote ? 1 : 0);
                Interlocked.Add(ref updated, up);
                Interlocked.Add(ref kept, keep);
            }).ConfigureAwait(false);
        return new OnlineWriteResult(byKey.Count, written, updated, kept);
    }

    private async Task<FeatureRecord?> ReadOneAsync(FeatureSetDefinition set, string entityKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(entityKey, OnlineEntities.RowKey(set), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.HasValue ? OnlineEntities.ToRecord(set, response.Value!) : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null; // no table yet: nothing was ever written
        }
    }

    private async Task<(bool Written, int Updated, int Kept)> WriteOneAsync(FeatureSetDefinition set, FeatureRecord incoming, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await ReadOneAsync(set, incoming.EntityKey, cancellationToken).ConfigureAwait(false);
            var merged = stored ?? new FeatureRecord(incoming.EntityKey, incoming.KeyValues, set.Features.Count);
            var (updated, kept) = merged.Merge(incoming);
            if (updated == 0)
            {
                return (false, 0, kept);
            }

            var entity = OnlineEntities.ToEntity(set, merged);
            try
            {
                if (stored is null)
                {
                    await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _table.UpdateEntityAsync(entity, new ETag(stored.ETag!), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }

                return (true, updated, kept);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another writer changed the entity since it was read: read it again and merge afresh.
            }
        }

        throw ServingException.Unavailable(
            $"The online store's entity for key {EntityKey.Describe(incoming.KeyValues)} of feature set '{set.Id}' kept changing under " +
            $"{MaxAttempts} conditional writes; retry the batch (rows are idempotent).");
    }
}
