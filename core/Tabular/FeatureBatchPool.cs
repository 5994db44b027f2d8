using System.Runtime.CompilerServices;

namespace Serverless.Core.Tabular;

/// <summary>
/// A few reusable <see cref="FeatureBatch"/>es per bound model, for the records API: a fresh batch allocates a column
/// buffer per feature (about 10 KB for 64 features), which was most of a one-row request's allocations. A request
/// rents one (<see cref="Rent"/>), fills and reads it, and returns it (<see cref="Return"/>) exactly once, after the
/// last read of its values (the inference log copies what it keeps); a batch that grew past <see cref="MaxPooledRows"/>
/// rows is dropped instead, so the pool holds at most <see cref="Slots"/> small batches per model.
/// Thread-safe (lock-free slots); the pool lives as long as its <see cref="TabularModel"/>.
/// </summary>
public sealed class FeatureBatchPool
{
    /// <summary>Batches kept per model: enough for the request threads of a small instance.</summary>
    public const int Slots = 8;

    /// <summary>A batch that held more rows (accepted and refused) than this is not kept.</summary>
    public const int MaxPooledRows = 32;

    /// <summary>Rows a new batch has room for before it grows (a records request is usually a handful of rows).</summary>
    public const int InitialCapacity = 16;

    private static readonly ConditionalWeakTable<TabularModel, FeatureBatchPool> Pools = new();

    private readonly TabularModel _model;
    private readonly FeatureBatch?[] _slots = new FeatureBatch?[Slots];

    private FeatureBatchPool(TabularModel model)
    {
        _model = model;
    }

    /// <summary>The model's pool (created on first use).</summary>
    public static FeatureBatchPool For(TabularModel model) => Pools.GetValue(model, static m => new FeatureBatchPool(m));

    /// <summary>An empty batch for the model (<see cref="UnknownFeatures.Reject"/>): a kept one, else a new one.</summary>
    public FeatureBatch Rent()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is not null && Interlocked.Exchange(ref _slots[i], null) is { } batch)
            {
                return batch;
            }
        }

        return _model.CreateBatch(InitialCapacity);
    }

    /// <summary>Takes a rented batch back (cleared) when it is small and a slot is free; the caller must not touch it afterwards.</summary>
    public void Return(FeatureBatch batch)
    {
        if (!ReferenceEquals(batch.Schema, _model.Schema) || batch.UnknownFeatures != UnknownFeatures.Reject ||
            batch.RowCount + batch.RejectedRowCount > MaxPooledRows)
        {
            return;
        }

        batch.Clear();
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _slots[i], batch, null) is null)
            {
                return;
            }
        }
    }

    /// <summary>Batches held now (for tests).</summary>
    internal int Count => _slots.Count(s => s is not null);
}
