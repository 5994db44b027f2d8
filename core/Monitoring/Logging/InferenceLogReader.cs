using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Reads a model's logged records for a time window [from, to) on <see cref="InferenceLogRecord.TimestampUtc"/>
/// (when each request arrived). It visits each hour bucket in the window and, within it, every shard's partition
/// concurrently by PartitionKey equality (plus a RowKey range when the window cuts the hour, widened by
/// <see cref="InferenceLogBlockFormat.MaxSpan"/> at the start since a block is keyed by its first record): point
/// partition queries, never a table scan. Blocks are decoded as they arrive, records outside the window dropped, and
/// each hour's records are yielded in time order (by time, request id, row: a request's rows together, row -1 of a
/// failure first). Missing monthly tables read as empty; entities without a <c>Format</c> (rows logged one per entity
/// by earlier builds) are skipped, and a block of an unknown format throws <see cref="InvalidDataException"/>. Thread-safe.
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
            var shards = new Task<List<InferenceLogRecord>>[_options.Shards];
            for (var shard = 0; shard < shards.Length; shard++)
            {
                var filter = Filter(InferenceLogKeys.PartitionKey(model, hour, shard), lower, upper);
                shards[shard] = ReadPartitionAsync(table, filter, from, to, cancellationToken);
            }

            var records = new List<InferenceLogRecord>();
            foreach (var shard in await Task.WhenAll(shards).ConfigureAwait(false))
            {
                records.AddRange(shard);
            }

            records.Sort(static (a, b) =>
            {
                var byTime = a.TimestampUtc.UtcTicks.CompareTo(b.TimestampUtc.UtcTicks);
                if (byTime != 0)
                {
                    return byTime;
                }

                var byRequest = string.CompareOrdinal(a.RequestId, b.RequestId);
                return byRequest != 0 ? byRequest : a.Row.CompareTo(b.Row);
            });
            foreach (var record in records)
            {
                yield return record;
            }
        }
    }

    /// <summary>PartitionKey eq, with RowKey bounds where the window starts (less a block's span) or ends inside the hour.</summary>
    internal static string Filter(string partitionKey, DateTimeOffset? from, DateTimeOffset? to)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        if (from is { } lower)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {InferenceLogKeys.RowKeyPrefix(lower - InferenceLogBlockFormat.MaxSpan)}");
        }

        if (to is { } upper)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey lt {InferenceLogKeys.RowKeyPrefix(upper)}");
        }

        return filter;
    }

    private static DateTimeOffset FloorToHour(DateTimeOffset time) => new(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero);

    private static async Task<List<InferenceLogRecord>> ReadPartitionAsync(TableClient table, string filter, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var records = new List<InferenceLogRecord>();
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!entity.ContainsKey(InferenceLogBlockFormat.FormatProperty))
                {
                    continue; // A row logged one per entity before blocks existed.
                }

                foreach (var record in InferenceLogBlockFormat.ReadRecords(entity))
                {
                    if (record.TimestampUtc >= from && record.TimestampUtc < to)
                    {
                        records.Add(record);
                    }
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The month's table does not exist: nothing was logged then.
        }

        return records;
    }
}
