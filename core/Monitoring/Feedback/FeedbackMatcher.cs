using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Core.Monitoring.Feedback;

/// <summary>
/// Which feedback items correspond to a logged prediction of the model in the monitoring window (the last
/// <see cref="MonitoringOptions.WindowHours"/>, the predictions a monitor run would join them with): an item matches
/// when its request id was logged with its row. The log is searched without decoding it: each block's
/// <see cref="RequestIdIndex"/> is read with a <c>$select</c> of the index alone, only in the partitions of the shards the
/// ids hash to, newest hours first (six at a time), stopping as soon as every item matched; blocks written before the
/// index existed are decoded instead. Time and bytes grow with the requests logged in the window (about 10 bytes each
/// on the wire), never with their size, and at most <see cref="MonitoringOptions.FeedbackMatchMaxRequests"/> requests
/// are searched: past that, or with logging off, the answer is unknown (<see cref="FeedbackMatch.Matched"/> null) unless
/// every item matched. Memory holds the items and one page of indexes per partition searched at once. A block is in the window when its last record is (so ids logged up to
/// <see cref="InferenceLogBlockFormat.MaxSpan"/> before the window may count), and predictions still in the writer's
/// buffer (about a second) are not found yet. Thread-safe.
/// </summary>
public sealed class FeedbackMatcher
{
    /// <summary>Most unmatched ids an answer lists; <see cref="FeedbackMatch.MoreUnmatchedIds"/> counts the rest.</summary>
    public const int MaxListedIds = 100;

    private const int BlocksPerPage = 100;

    /// <summary>Hours searched at once, newest first: their shards' partitions are queried concurrently.</summary>
    private const int HoursAtOnce = 6;

    private static readonly string[] IndexColumns =
        ["PartitionKey", "RowKey", InferenceLogBlockFormat.FormatProperty, InferenceLogBlockFormat.RecordsProperty, InferenceLogBlockFormat.LastProperty,
         .. Enumerable.Range(0, InferenceLogBlockFormat.MaxIdsParts).Select(InferenceLogBlockFormat.IdsPartName)];

    private readonly TableServiceClient _service;
    private readonly InferenceLogOptions _log;
    private readonly MonitoringOptions _options;
    private readonly TimeProvider _clock;

    public FeedbackMatcher(TableServiceClient service, IOptions<InferenceLogOptions> log, IOptions<MonitoringOptions> options, TimeProvider clock)
    {
        _service = service;
        _log = log.Value;
        _options = options.Value;
        _clock = clock;
    }

    public async Task<FeedbackMatch> MatchAsync(string model, IReadOnlyList<FeedbackRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var now = _clock.GetUtcNow();
        var from = now.AddHours(-_options.WindowHours);
        var search = new Search(records, _log.Shards, _options.FeedbackMatchMaxRequests);
        if (!_log.Enabled || _options.FeedbackMatchMaxRequests == 0)
        {
            return FeedbackMatch.Unknown(records.Count);
        }

        var first = FloorToHour(from);
        for (var hour = FloorToHour(now); hour >= first && search.Pending > 0 && !search.OverBudget; hour = hour.AddHours(-HoursAtOnce))
        {
            var partitions = new List<Task>();
            for (var h = hour; h > hour.AddHours(-HoursAtOnce) && h >= first; h = h.AddHours(-1))
            {
                var table = _service.GetTableClient(InferenceLogKeys.TableName(_log.TablePrefix, h));
                var lower = from > h ? from : (DateTimeOffset?)null;
                partitions.AddRange(Enumerable.Range(0, _log.Shards).Where(s => search.PendingIn(s) > 0)
                    .Select(s => SearchPartitionAsync(table, InferenceLogKeys.PartitionKey(model, h, s), lower, from, now, s, search, cancellationToken)));
            }

            await Task.WhenAll(partitions).ConfigureAwait(false);
        }

        return search.Pending > 0 && search.OverBudget ? FeedbackMatch.Unknown(records.Count, search.Searched, search.Decoded) : search.Result();
    }

    private static async Task SearchPartitionAsync(TableClient table, string partitionKey, DateTimeOffset? lower, DateTimeOffset from, DateTimeOffset now, int shard,
        Search search, CancellationToken cancellationToken)
    {
        var filter = InferenceLogReader.Filter(partitionKey, lower, null);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, BlocksPerPage, IndexColumns, cancellationToken).ConfigureAwait(false))
            {
                if (search.PendingIn(shard) == 0 || search.OverBudget)
                {
                    return;
                }

                if (entity.GetString(InferenceLogBlockFormat.FormatProperty) is null || entity.GetDateTimeOffset(InferenceLogBlockFormat.LastProperty) < from)
                {
                    continue; // A row logged one per entity before blocks existed, or a block wholly before the window.
                }

                if (InferenceLogBlockFormat.ReadIds(entity) is { } ids)
                {
                    search.MatchIndex(shard, ids);
                }
                else
                {
                    var block = await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                    search.MatchRecords(shard, InferenceLogBlockFormat.ReadRecords(block.Value), from, now);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The month's table does not exist: nothing was logged then.
        }
    }

    private static DateTimeOffset FloorToHour(DateTimeOffset time) => new(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero);

    /// <summary>The items by shard and fingerprint, which of them matched, and the requests searched so far. Each shard's items are touched by that shard's search alone.</summary>
    private sealed class Search
    {
        private readonly IReadOnlyList<FeedbackRecord> _records;
        private readonly bool[] _matched;
        private readonly Dictionary<ulong, List<int>>[] _wanted;
        private readonly int[] _pending;
        private readonly long _budget;
        private long _searched;
        private long _decoded;

        public Search(IReadOnlyList<FeedbackRecord> records, int shards, long budget)
        {
            _records = records;
            _matched = new bool[records.Count];
            _budget = budget;
            _pending = new int[shards];
            _wanted = new Dictionary<ulong, List<int>>[shards];
            for (var s = 0; s < shards; s++)
            {
                _wanted[s] = [];
            }

            for (var i = 0; i < records.Count; i++)
            {
                var hash = InferenceLogKeys.Hash(records[i].RequestId);
                var shard = InferenceLogKeys.Shard(hash, shards);
                var fingerprint = RequestIdIndex.Fingerprint(hash);
                if (!_wanted[shard].TryGetValue(fingerprint, out var items))
                {
                    _wanted[shard][fingerprint] = items = [];
                }

                items.Add(i);
                _pending[shard]++;
            }
        }

        public int Pending => _pending.Sum();

        public long Searched => Interlocked.Read(ref _searched);

        public long Decoded => Interlocked.Read(ref _decoded);

        public bool OverBudget => Searched > _budget;

        public int PendingIn(int shard) => Volatile.Read(ref _pending[shard]);

        public void MatchIndex(int shard, byte[] ids)
        {
            var wanted = _wanted[shard];
            var entries = 0L;
            RequestIdIndex.Read(ids, entry =>
            {
                entries++;
                if (wanted.TryGetValue(entry.Fingerprint, out var items))
                {
                    foreach (var i in items)
                    {
                        if (!_matched[i] && entry.Holds(_records[i].Row))
                        {
                            Matched(shard, i);
                        }
                    }
                }
            });
            Interlocked.Add(ref _searched, entries);
        }

        public void MatchRecords(int shard, List<InferenceLogRecord> records, DateTimeOffset from, DateTimeOffset now)
        {
            var wanted = _wanted[shard];
            foreach (var record in records)
            {
                if (record.IsError || record.TimestampUtc < from || record.TimestampUtc > now ||
                    !wanted.TryGetValue(RequestIdIndex.Fingerprint(InferenceLogKeys.Hash(record.RequestId)), out var items))
                {
                    continue;
                }

                foreach (var i in items)
                {
                    if (!_matched[i] && _records[i].Row == record.Row && string.Equals(_records[i].RequestId, record.RequestId, StringComparison.Ordinal))
                    {
                        Matched(shard, i);
                    }
                }
            }

            Interlocked.Add(ref _searched, records.Count);
            Interlocked.Increment(ref _decoded);
        }

        public FeedbackMatch Result()
        {
            var unmatched = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var more = 0;
            for (var i = 0; i < _records.Count; i++)
            {
                if (!_matched[i] && seen.Add(_records[i].RequestId))
                {
                    if (unmatched.Count < MaxListedIds)
                    {
                        unmatched.Add(_records[i].RequestId);
                    }
                    else
                    {
                        more++;
                    }
                }
            }

            return new FeedbackMatch(_records.Count, _matched.Count(m => m), unmatched, more, Searched, Decoded);
        }

        private void Matched(int shard, int item)
        {
            _matched[item] = true;
            Interlocked.Decrement(ref _pending[shard]);
        }
    }
}

/// <summary>
/// How many feedback items matched a logged prediction (<see cref="Matched"/>, null when that could not be known), the
/// distinct ids of the others (at most <see cref="FeedbackMatcher.MaxListedIds"/>, then <see cref="MoreUnmatchedIds"/>),
/// and what the search cost: requests whose index entries were read and blocks decoded. Immutable.
/// </summary>
public sealed record FeedbackMatch(int Accepted, int? Matched, IReadOnlyList<string>? UnmatchedIds, int MoreUnmatchedIds, long RequestsSearched, long BlocksDecoded)
{
    public static FeedbackMatch Unknown(int accepted, long searched = 0, long decoded = 0) => new(accepted, null, null, 0, searched, decoded);
}
