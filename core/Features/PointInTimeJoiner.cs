using Microsoft.Extensions.Options;
using Serverless.Core.Errors;

namespace Serverless.Core.Features;

/// <summary>
/// Builds <see cref="PointInTimeIndex"/>es from the history for a training set's join: reads only the event dates a join over
/// [<c>from</c> − TTL, <c>to</c>] can use (a value older than the TTL at the earliest row can never be served to it, and nothing after
/// the latest row may be) and keeps only the rows of the keys asked for, so memory grows with the training set's keys, not the
/// whole history. At most <see cref="FeatureStoreOptions.MaxJoinHistoryRows"/> rows are read per set (else BadRequest naming the set and
/// the setting), which bounds a join's time and memory. Event time decides everything; <c>ingested_at</c> (when the app accepted a row)
/// is kept in the history for audit and never consulted. Thread-safe.
/// </summary>
public sealed class PointInTimeJoiner
{
    private readonly FeatureSetCatalog _catalog;
    private readonly IFeatureHistory _history;

    private readonly long _maxRows;

    public PointInTimeJoiner(FeatureSetCatalog catalog, IFeatureHistory history, IOptions<FeatureStoreOptions> options)
    {
        _catalog = catalog;
        _history = history;
        _maxRows = options.Value.MaxJoinHistoryRows;
    }

    /// <summary>The declaration of set version <paramref name="name"/>@<paramref name="version"/>; NotFound when it is not declared.</summary>
    public Task<FeatureSetDefinition> GetSetAsync(string name, string version, CancellationToken cancellationToken) =>
        _catalog.GetAsync(name, version, cancellationToken);

    /// <summary>The sealed index of <paramref name="set"/>'s history for <paramref name="entityKeys"/> (encoded) over rows timed [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public async Task<PointInTimeIndex> LoadAsync(FeatureSetDefinition set, IReadOnlySet<string> entityKeys, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var index = new PointInTimeIndex(set);
        var earliest = from.UtcTicks - Math.Min(set.Ttl.Ticks, from.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks);
        var first = DateOnly.FromDateTime(new DateTime(earliest, DateTimeKind.Utc));
        var last = DateOnly.FromDateTime(to.UtcDateTime);
        long read = 0;
        foreach (var blob in await _history.ListAsync(set, first, last, cancellationToken).ConfigureAwait(false))
        {
            var rows = await _history.ReadAsync(set, blob, cancellationToken).ConfigureAwait(false);
            read += rows.Count;
            if (read > _maxRows)
            {
                throw ServingException.BadRequest(
                    $"The point-in-time join would read more than {_maxRows} history rows of feature set '{set.Id}' for event dates {first:yyyy-MM-dd} to {last:yyyy-MM-dd} " +
                    "(FeatureStore:MaxJoinHistoryRows): narrow the dataset's time range, or raise the setting.");
            }

            foreach (var row in rows)
            {
                if (entityKeys.Contains(row.EntityKey))
                {
                    index.Add(row);
                }
            }
        }

        index.Seal();
        return index;
    }
}
