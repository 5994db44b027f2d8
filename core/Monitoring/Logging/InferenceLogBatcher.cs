using Azure.Data.Tables;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>One entity group transaction to submit: up to 100 entities, all of one partition of one table.</summary>
public sealed record InferenceLogBatch(string Table, string PartitionKey, IReadOnlyList<TableEntity> Entities);

/// <summary>
/// Groups records by table and partition into entity group transactions: a group is ready as soon as it holds
/// <see cref="MaxEntities"/> entities or about <see cref="MaxBytes"/> (Table storage allows 100 entities and 4 MiB per
/// transaction); the rest wait for the next flush. Not thread-safe (the writer's loop only).
/// </summary>
internal sealed class InferenceLogBatcher
{
    public const int MaxEntities = 100;
    public const int MaxBytes = 3_500_000;

    private readonly Dictionary<(string Table, string Partition), Group> _open = [];
    private readonly List<InferenceLogBatch> _ready = [];

    /// <summary>Records held, in open groups and ready batches.</summary>
    public int Count { get; private set; }

    public void Add(InferenceLogEntity record)
    {
        var key = (record.Table, record.PartitionKey);
        if (!_open.TryGetValue(key, out var group))
        {
            group = new Group();
            _open.Add(key, group);
        }

        if (group.Entities.Count > 0 && group.Bytes + record.EstimatedBytes > MaxBytes)
        {
            Close(key, group);
            group = new Group();
            _open.Add(key, group);
        }

        group.Entities.Add(record.Entity);
        group.Bytes += record.EstimatedBytes;
        Count++;
        if (group.Entities.Count >= MaxEntities)
        {
            Close(key, group);
        }
    }

    /// <summary>The full batches, removed from the batcher.</summary>
    public List<InferenceLogBatch> TakeReady()
    {
        var ready = new List<InferenceLogBatch>(_ready);
        _ready.Clear();
        foreach (var batch in ready)
        {
            Count -= batch.Entities.Count;
        }

        return ready;
    }

    /// <summary>Every batch, full or not, removed from the batcher.</summary>
    public List<InferenceLogBatch> TakeAll()
    {
        foreach (var (key, group) in _open.ToList())
        {
            Close(key, group);
        }

        return TakeReady();
    }

    private void Close((string Table, string Partition) key, Group group)
    {
        _open.Remove(key);
        _ready.Add(new InferenceLogBatch(key.Table, key.Partition, group.Entities));
    }

    private sealed class Group
    {
        public List<TableEntity> Entities { get; } = new(MaxEntities);

        public long Bytes { get; set; }
    }
}
