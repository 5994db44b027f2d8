using System.Runtime.CompilerServices;
using System.Threading.Channels;
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
/// failure first). Blocks of either format (<see cref="InferenceLogBlockFormat"/>) are read. Missing monthly tables read
/// as empty; entities without a <c>Format</c> (rows logged one per entity by earlier builds) are skipped, and a block of
/// an unknown format, or truncated or corrupt, throws <see cref="InvalidDataException"/> naming it. Thread-safe.
/// </summary>
public sealed class InferenceLogReader
{
    /// <summary>Blocks asked for per query page: each can be up to ~0.9 MB, so pages stay small whatever the service allows.</summary>
    private const int BlocksPerPage = 8;

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
            var shards = new List<InferenceLogRecord>[_options.Shards];
            await ReadHourAsync(model, hour, from, to, (shard, block, _) =>
            {
                (shards[shard] ??= []).AddRange(block.ToRecords());
                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
            var records = new List<InferenceLogRecord>();
            foreach (var shard in shards)
            {
                records.AddRange(shard ?? []);
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

    /// <summary>
    /// The same records as <see cref="ReadAsync"/>, in no particular order, streamed as blocks are decoded: nothing is
    /// held beyond a few blocks (see <see cref="ReadBlocksAsync"/>). Record views of the blocks' rows.
    /// </summary>
    public async IAsyncEnumerable<InferenceLogRecord> ReadUnorderedAsync(string model, DateTimeOffset from, DateTimeOffset to,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var block in ReadBlocksAsync(model, from, to, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in block.Selected.ToArray())
            {
                yield return block.Record(row);
            }
        }
    }

    /// <summary>
    /// The window's records as decoded blocks (<see cref="InferenceLogColumns"/>, each with its rows in the window
    /// <see cref="InferenceLogColumns.Selected"/>; blocks with none are left out), in no particular order, streamed as
    /// the shards' blocks are decoded (concurrently, one shard's on each thread): nothing is held beyond a few blocks,
    /// so a window of millions of rows can be judged without holding it (the monitor's way).
    /// </summary>
    public async IAsyncEnumerable<InferenceLogColumns> ReadBlocksAsync(string model, DateTimeOffset from, DateTimeOffset to,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        var blocks = Channel.CreateBounded<InferenceLogColumns>(new BoundedChannelOptions(2 * _options.Shards) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(blocks.Writer, model, from, to, stop.Token);
        try
        {
            await foreach (var block in blocks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return block;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ProduceAsync(ChannelWriter<InferenceLogColumns> blocks, string model, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        try
        {
            for (var hour = FloorToHour(from); hour < to; hour = hour.AddHours(1))
            {
                await ReadHourAsync(model, hour, from, to, (_, block, ct) => blocks.WriteAsync(block, ct), cancellationToken).ConfigureAwait(false);
            }

            blocks.Complete();
        }
        catch (Exception e)
        {
            blocks.Complete(e);
        }
    }

    /// <summary>Reads one hour's shards concurrently, handing each decoded block with in-window rows to <paramref name="onBlock"/> (shard, block).</summary>
    private Task ReadHourAsync(string model, DateTimeOffset hour, DateTimeOffset from, DateTimeOffset to,
        Func<int, InferenceLogColumns, CancellationToken, ValueTask> onBlock, CancellationToken cancellationToken)
    {
        var end = hour.AddHours(1);
        var (lower, upper) = (from > hour ? from : (DateTimeOffset?)null, to < end ? to : (DateTimeOffset?)null);
        var table = _service.GetTableClient(InferenceLogKeys.TableName(_options.TablePrefix, hour));
        var shards = new Task[_options.Shards];
        for (var shard = 0; shard < shards.Length; shard++)
        {
            var filter = Filter(InferenceLogKeys.PartitionKey(model, hour, shard), lower, upper);
            var index = shard;
            shards[shard] = ReadPartitionAsync(table, filter, from, to, (block, ct) => onBlock(index, block, ct), cancellationToken);
        }

        return Task.WhenAll(shards);
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

    private static async Task ReadPartitionAsync(TableClient table, string filter, DateTimeOffset from, DateTimeOffset to,
        Func<InferenceLogColumns, CancellationToken, ValueTask> onBlock, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: BlocksPerPage, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!entity.ContainsKey(InferenceLogBlockFormat.FormatProperty))
                {
                    continue; // A row logged one per entity before blocks existed.
                }

                foreach (var block in InferenceLogBlockFormat.ReadColumns(entity))
                {
                    var inWindow = block.Within(from.UtcTicks, to.UtcTicks);
                    if (inWindow.Selected.Length > 0)
                    {
                        await onBlock(inWindow, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The month's table does not exist: nothing was logged then.
        }
    }
}
