using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Reads a model's logged records for a time window [from, to) on <see cref="InferenceLogRecord.TimestampUtc"/>
/// (when each request arrived). It visits each hour bucket in the window and, within it, each shard's partition by
/// PartitionKey equality (plus a RowKey range when the window cuts the hour): point partition queries, never a table
/// scan. Within an hour the shards are merged by RowKey, so records come in time order (a request's rows together,
/// row -1 of a failure first). Missing monthly tables read as empty. Thread-safe.
/// </summary>
public sealed class InferenceLogReader
{
    private readonly TableServiceClient _service;
    private readonly InferenceLogOptions _options;

    public InferenceLogReader(TableServiceClient service, IOptions<InferenceLogOptions> options)
    {
        _service = service;
        _options = options.Value;
    }

    public async IAsyncEnumerable<InferenceLogRecord> ReadAsync(string model, DateTimeOffset from, DateTimeOffset to,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        for (var hour = FloorToHour(from); hour < to; hour = hour.AddHours(1))
        {
            var end = hour.AddHours(1);
            var (lower, upper) = (from > hour ? from : (DateTimeOffset?)null, to < end ? to : (DateTimeOffset?)null);
            var table = _service.GetTableClient(InferenceLogKeys.TableName(_options.TablePrefix, hour));
            var shards = new List<IAsyncEnumerator<TableEntity>>(_options.Shards);
            try
            {
                for (var shard = 0; shard < _options.Shards; shard++)
                {
                    var filter = Filter(InferenceLogKeys.PartitionKey(model, hour, shard), lower, upper);
                    shards.Add(QueryPartitionAsync(table, filter, cancellationToken).GetAsyncEnumerator(cancellationToken));
                }

                await foreach (var entity in MergeAsync(shards).ConfigureAwait(false))
                {
                    yield return InferenceLogEntities.ToRecord(entity);
                }
            }
            finally
            {
                foreach (var shard in shards)
                {
                    await shard.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>PartitionKey eq, with RowKey bounds where the window starts or ends inside the hour.</summary>
    internal static string Filter(string partitionKey, DateTimeOffset? from, DateTimeOffset? to)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        if (from is { } lower)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {InferenceLogKeys.RowKeyPrefix(lower)}");
        }

        if (to is { } upper)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey lt {InferenceLogKeys.RowKeyPrefix(upper)}");
        }

        return filter;
    }

    private static DateTimeOffset FloorToHour(DateTimeOffset time) => new(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero);

    private static async IAsyncEnumerable<TableEntity> QueryPartitionAsync(TableClient table, string filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).AsPages();
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                yield break;
            }

            foreach (var entity in enumerator.Current.Values)
            {
                yield return entity;
            }
        }
    }

    /// <summary>A k-way merge of RowKey-ordered partitions.</summary>
    private static async IAsyncEnumerable<TableEntity> MergeAsync(List<IAsyncEnumerator<TableEntity>> sources)
    {
        var live = new List<IAsyncEnumerator<TableEntity>>(sources.Count);
        foreach (var source in sources)
        {
            if (await source.MoveNextAsync().ConfigureAwait(false))
            {
                live.Add(source);
            }
        }

        while (live.Count > 0)
        {
            var next = 0;
            for (var i = 1; i < live.Count; i++)
            {
                if (string.CompareOrdinal(live[i].Current.RowKey, live[next].Current.RowKey) < 0)
                {
                    next = i;
                }
            }

            yield return live[next].Current;
            if (!await live[next].MoveNextAsync().ConfigureAwait(false))
            {
                live.RemoveAt(next);
            }
        }
    }
}
