namespace Serverless.Core.Features;

/// <summary>
/// The offline history of a feature set version: every accepted row, append-only, for building training sets with a
/// point-in-time join. Implementations are thread-safe and idempotent: appending the same rows again adds nothing new.
/// </summary>
public interface IFeatureHistory
{
    /// <summary>Appends <paramref name="rows"/> (each feature it gives stamped with the row's event time), accepted at <paramref name="ingestedAt"/>; returns the blobs written or found.</summary>
    Task<IReadOnlyList<string>> AppendAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, DateTimeOffset ingestedAt, CancellationToken cancellationToken);
}
