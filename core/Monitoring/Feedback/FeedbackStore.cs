using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Monitoring.Feedback;

/// <summary>
/// Ground truth per model on Table storage: partition = the model, row key = request id and row, so a late
/// correction replaces the earlier value and the monitor reads a model's feedback as one partition. Writes go in
/// transactions of at most 100 entities. Thread-safe.
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

    /// <summary>Every outcome recorded for the model, keyed by (request id, row).</summary>
    public async Task<IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord>> ReadAsync(string model, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var records = new Dictionary<(string, int), FeedbackRecord>();
        try
        {
            await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == model, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var record = new FeedbackRecord(entity.GetString("RequestId") ?? string.Empty, entity.GetInt32("Row") ?? 0, entity.GetString("Actual") ?? string.Empty,
                    entity.GetDateTimeOffset("ReceivedUtc") ?? DateTimeOffset.MinValue);
                records[(record.RequestId, record.Row)] = record;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        return records;
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
