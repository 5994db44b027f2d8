namespace Serverless.Core.Features;

/// <summary>
/// The offline history of a feature set version: every accepted row, append-only, for building training sets with a
/// point-in-time join and for materialising the online store. Implementations are thread-safe and idempotent: appending the
/// same rows again adds nothing new.
/// </summary>
public interface IFeatureHistory
{
    /// <summary>Appends <paramref name="rows"/> (each feature it gives stamped with the row's event time), accepted at <paramref name="ingestedAt"/>; returns the blobs written or found.</summary>
    Task<IReadOnlyList<string>> AppendAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, DateTimeOffset ingestedAt, CancellationToken cancellationToken);

    /// <summary>
    /// The history blobs of <paramref name="set"/> whose event date (UTC) is within [<paramref name="from"/>, <paramref name="to"/>]
    /// (either end null: open), in name order (so by event date). Reads nothing but the listing.
    /// </summary>
    Task<IReadOnlyList<string>> ListAsync(FeatureSetDefinition set, DateOnly? from, DateOnly? to, CancellationToken cancellationToken);

    /// <summary>The rows of one history blob (a name <see cref="ListAsync"/> gave), each feature stamped with its row's event time.</summary>
    Task<IReadOnlyList<FeatureRecord>> ReadAsync(FeatureSetDefinition set, string blob, CancellationToken cancellationToken);
}
