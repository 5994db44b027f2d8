using Microsoft.Extensions.Options;

namespace Serverless.Core.Features;

/// <summary>
/// Writes rows to a feature set version: read and check every row first (nothing is stored when any row is refused), append
/// them to the history, then merge them into the online store, then drop their keys from this process's cache. The history
/// is written first, so the online store never holds a value the history lacks; a write that fails part way is safe to retry
/// whole (both steps are idempotent). Thread-safe.
/// </summary>
public sealed class FeatureIngestion
{
    private readonly FeatureSetCatalog _catalog;
    private readonly IOnlineFeatureStore _online;
    private readonly IFeatureHistory _history;
    private readonly OnlineFeatureCache _cache;
    private readonly TimeProvider _clock;
    private readonly int _maxRows;

    public FeatureIngestion(FeatureSetCatalog catalog, IOnlineFeatureStore online, IFeatureHistory history, OnlineFeatureCache cache,
        IOptions<FeatureStoreOptions> options, TimeProvider clock)
    {
        _catalog = catalog;
        _online = online;
        _history = history;
        _cache = cache;
        _clock = clock;
        _maxRows = options.Value.MaxRowsPerWrite;
    }

    /// <summary>Writes a JSON (<paramref name="csv"/> false) or CSV body of rows. BadRequest naming row and column; NotFound for an undeclared set version.</summary>
    public async Task<FeatureWriteResult> WriteAsync(string name, string version, ReadOnlyMemory<byte> body, bool csv, CancellationToken cancellationToken)
    {
        var set = await _catalog.GetAsync(name, version, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var rows = csv ? FeatureRowReader.ReadCsv(set, body, _maxRows, now) : FeatureRowReader.ReadJson(set, body.Span, _maxRows, now);
        return await WriteRowsAsync(set, rows, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes rows already read and checked (a file being materialised): the history first, stamped <c>ingested_at</c>
    /// <paramref name="ingestedAt"/>, then the online store, then drops their keys from this process's cache.
    /// </summary>
    public async Task<FeatureWriteResult> WriteRowsAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, DateTimeOffset ingestedAt,
        CancellationToken cancellationToken)
    {
        var blobs = await _history.AppendAsync(set, rows, ingestedAt, cancellationToken).ConfigureAwait(false);
        try
        {
            var online = await _online.WriteAsync(set, rows, cancellationToken).ConfigureAwait(false);
            return new FeatureWriteResult(set, rows.Count, online, blobs);
        }
        finally
        {
            _cache.Invalidate(set, rows.Select(r => r.EntityKey));
        }
    }
}

/// <summary>What a write did: the rows accepted, the online store's changes and the history blobs holding the rows.</summary>
public sealed record FeatureWriteResult(FeatureSetDefinition Set, int Rows, OnlineWriteResult Online, IReadOnlyList<string> HistoryBlobs);
