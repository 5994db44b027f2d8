using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Moq;

namespace Serverless.Tests.Support;

/// <summary>
/// A table over a sorted dictionary, enough for the registry: point reads, the registry's row-key range queries
/// (<c>PartitionKey eq 'p' and RowKey ge 'a' and RowKey lt 'b'</c>, rows in key order), and entity group transactions
/// applied all or nothing with storage's ETag checks (409 for an Add over a row, 404 for a missing row, 412 for a stale
/// ETag), and single adds and replacing updates with the same checks. <see cref="BeforeTransaction"/> runs as a transaction
/// or single write arrives, before it is applied, so a test can hold several writers there at once. Thread-safe.
/// </summary>
internal sealed partial class FakeTable
{
    private readonly SortedDictionary<(string Partition, string Row), TableEntity> _rows = new(Comparer<(string, string)>.Create(
        (a, b) => string.CompareOrdinal(a.Item1, b.Item1) is var c and not 0 ? c : string.CompareOrdinal(a.Item2, b.Item2)));

    private readonly Lock _lock = new();
    private int _etags;
    private int _transactions;

    public FakeTable()
    {
        var table = new Mock<TableClient>();
        table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns((string partition, string row, IEnumerable<string> _, CancellationToken _) => Task.FromResult(Get(partition, row)));
        table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns((string filter, int? _, IEnumerable<string> _, CancellationToken _) =>
                AsyncPageable<TableEntity>.FromPages([Page<TableEntity>.FromValues(Query(filter), null, Mock.Of<Response>())]));
        table.Setup(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()))
            .Returns(async (IEnumerable<TableTransactionAction> actions, CancellationToken _) =>
            {
                var list = actions.ToList();
                Interlocked.Increment(ref _transactions);
                await BeforeTransaction();
                Apply(list);
                return Response.FromValue<IReadOnlyList<Response>>([], Mock.Of<Response>());
            });
        table.Setup(t => t.DeleteEntityAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<ETag>(), It.IsAny<CancellationToken>()))
            .Returns((string partition, string row, ETag etag, CancellationToken _) =>
            {
                Apply([new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, row), etag)]);
                return Task.FromResult(Mock.Of<Response>());
            });
        table.Setup(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>()))
            .Returns(async (TableEntity entity, CancellationToken _) =>
            {
                await BeforeTransaction();
                Apply([new TableTransactionAction(TableTransactionActionType.Add, entity)]);
                return Mock.Of<Response>();
            });
        table.Setup(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), It.IsAny<ETag>(), It.IsAny<TableUpdateMode>(), It.IsAny<CancellationToken>()))
            .Returns(async (TableEntity entity, ETag etag, TableUpdateMode _, CancellationToken _) =>
            {
                await BeforeTransaction();
                Apply([new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, etag)]);
                return Mock.Of<Response>();
            });
        Client = table.Object;
    }

    public TableClient Client { get; }

    public Func<Task> BeforeTransaction { get; set; } = () => Task.CompletedTask;

    public int Transactions => Volatile.Read(ref _transactions);

    public IReadOnlyList<TableEntity> Rows
    {
        get
        {
            lock (_lock)
            {
                return _rows.Values.ToList();
            }
        }
    }

    public void Put(TableEntity entity)
    {
        lock (_lock)
        {
            entity.ETag = NextETag();
            _rows[(entity.PartitionKey, entity.RowKey)] = entity;
        }
    }

    private NullableResponse<TableEntity> Get(string partition, string row)
    {
        lock (_lock)
        {
            if (_rows.TryGetValue((partition, row), out var entity))
            {
                return Response.FromValue(Copy(entity), Mock.Of<Response>());
            }
        }

        var missing = new Mock<NullableResponse<TableEntity>>();
        missing.SetupGet(r => r.HasValue).Returns(false);
        return missing.Object;
    }

    private List<TableEntity> Query(string filter)
    {
        var range = RangeFilter().Match(filter);
        if (!range.Success)
        {
            throw new NotSupportedException($"FakeTable answers only row-key range queries, not: {filter}");
        }

        var (partition, from, to) = (range.Groups[1].Value, range.Groups[2].Value, range.Groups[3].Value);
        lock (_lock)
        {
            return _rows.Where(r => r.Key.Partition == partition && string.CompareOrdinal(r.Key.Row, from) >= 0 && string.CompareOrdinal(r.Key.Row, to) < 0)
                .Select(r => Copy(r.Value)).ToList();
        }
    }

    private void Apply(List<TableTransactionAction> actions)
    {
        lock (_lock)
        {
            foreach (var action in actions)
            {
                var key = (action.Entity.PartitionKey, action.Entity.RowKey);
                var exists = _rows.TryGetValue(key, out var stored);
                switch (action.ActionType)
                {
                    case TableTransactionActionType.Add when exists:
                        throw new RequestFailedException(409, "The specified entity already exists.");
                    case TableTransactionActionType.Add:
                        break;
                    case var _ when !exists:
                        throw new RequestFailedException(404, "The specified resource does not exist.");
                    case var _ when action.ETag != ETag.All && action.ETag != stored!.ETag:
                        throw new RequestFailedException(412, "The update condition specified in the request was not satisfied.");
                }
            }

            foreach (var action in actions)
            {
                var key = (action.Entity.PartitionKey, action.Entity.RowKey);
                if (action.ActionType == TableTransactionActionType.Delete)
                {
                    _rows.Remove(key);
                    continue;
                }

                var entity = Copy((TableEntity)action.Entity);
                entity.ETag = NextETag();
                _rows[key] = entity;
            }
        }
    }

    private ETag NextETag() => new($"W/\"fake-{++_etags}\"");

    private static TableEntity Copy(TableEntity entity) => new(entity) { ETag = entity.ETag };

    [GeneratedRegex("^PartitionKey eq '([^']*)' and RowKey ge '([^']*)' and RowKey lt '([^']*)'$")]
    private static partial Regex RangeFilter();
}
