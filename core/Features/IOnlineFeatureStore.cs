namespace Serverless.Core.Features;

/// <summary>
/// The online store: the latest value of each feature per entity key and set version. Implementations are thread-safe.
/// </summary>
public interface IOnlineFeatureStore
{
    /// <summary>
    /// The records of <paramref name="entityKeys"/> (encoded, distinct), in the same order; null where a key has none. One call
    /// per set and request: the caller deduplicates keys and never calls per row.
    /// </summary>
    Task<FeatureRecord?[]> ReadAsync(FeatureSetDefinition set, IReadOnlyList<string> entityKeys, CancellationToken cancellationToken);

    /// <summary>
    /// Merges rows into the store (<see cref="FeatureRecord.Merge"/>: per feature, the later event time wins), each key with a
    /// conditional write retried on a concurrent change. Idempotent. Returns what changed.
    /// </summary>
    Task<OnlineWriteResult> WriteAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, CancellationToken cancellationToken);
}

/// <summary>
/// What a write changed: <paramref name="Keys"/> distinct keys written to, <paramref name="EntitiesWritten"/> entities actually
/// rewritten, <paramref name="ValuesUpdated"/> feature values replaced, <paramref name="ValuesKept"/> incoming values not newer
/// than the stored ones (so left as they were).
/// </summary>
public sealed record OnlineWriteResult(int Keys, int EntitiesWritten, int ValuesUpdated, int ValuesKept);
