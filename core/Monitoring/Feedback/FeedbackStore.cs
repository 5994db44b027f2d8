using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Monitoring.Feedback;

/// <summary>
/// Ground truth per model on Table storage: partition = the model, row key = request id and row, so a late
/// correction replaces the earlier value and the monitor reads a model's recent feedback from one partition. Writes
/// go in transactions of at most 100 entities. Thread-safe.
/// </summary>
public sealed class FeedbackStore
{
    public const int MaxBatch = 100;

    private readonly TableClient _table;
    private readonly Lazy<Task> _created;

    public FeedbackStore(TableServiceClient tables, string tableName = "feedback")
    {
        _table = tables.GetTableClient(tableName);
        _created = new Lazy<Task>(() => _table.CreateIfNotExistsAsync());
    }

    public async Task SaveAsync(string model, IReadOnlyList<FeedbackRecord> records, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        foreach (var batch in records.GroupBy(r => RowKey(r.RequestId, r.Row)).Select(g => g.Last()).Chunk(MaxBatch))
        {
            var actions = batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(model, RowKey(r.RequestId, r.Row))
            {
                ["RequestId"] = r.RequestId,
                ["Row"] = r.Row,
                ["Actual"] = r.Actual,
                ["ReceivedUtc"] = r.ReceivedUtc,
            }));
            await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The model's outcomes received at or after <paramref name="receivedFrom"/>, streamed (the filter runs in the
    /// service, so older outcomes are never transferred). A missing table reads as empty.
    /// </summary>
    public async IAsyncEnumerable<FeedbackRecord> ReadReceivedAsync(string model, DateTimeOffset receivedFrom,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {model} and ReceivedUtc ge {receivedFrom.ToUniversalTime()}");
        var entities = _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await entities.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    yield break;
                }

                var entity = entities.Current;
                yield return new FeedbackRecord(entity.GetString("RequestId") ?? string.Empty, entity.GetInt32("Row") ?? 0, entity.GetString("Actual") ?? string.Empty,
                    entity.GetDateTimeOffset("ReceivedUtc") ?? DateTimeOffset.MinValue);
            }
        }
        finally
        {
            await entities.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Row keys may not hold '/', '\', '#' or '?'; those are escaped so any request id works.</summary>
    private static string RowKey(string requestId, int row)
    {
        var key = new StringBuilder(requestId.Length + 8);
        foreach (var c in requestId)
        {
            key.Append(c is '/' or '\\' or '#' or '?' || char.IsControl(c) ? $"%{(int)c:X2}" : c);
        }

        return key.Append('|').Append(row.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).ToString();
    }
}
