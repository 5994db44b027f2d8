using Microsoft.DurableTask;
using Serverless.Core.Features;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Materialises one chunk: lists each part's date, reads the blobs whose names start with the part's prefix
/// (<see cref="IFeatureHistory.ReadAsync"/>) and merges their rows into the online store (<see cref="IOnlineFeatureStore.WriteAsync"/>,
/// <see cref="WriteRows"/> rows a call), then drops the written keys from this process's cache. Idempotent and safe to retry or run
/// beside other chunks and live writes: a merge keeps, per feature, the value with the latest event time, so writing a row again,
/// or an older one, changes nothing.
/// </summary>
[DurableTask(Name)]
public sealed class MaterialiseChunkActivity : TaskActivity<MaterialisationChunk, MaterialisationChunkResult>
{
    public const string Name = "FeatureMaterialiseChunk";

    /// <summary>Rows merged into the online store per call.</summary>
    public const int WriteRows = 5_000;

    private readonly FeatureSetCatalog _catalog;
    private readonly IFeatureHistory _history;
    private readonly IOnlineFeatureStore _online;
    private readonly OnlineFeatureCache _cache;

    public MaterialiseChunkActivity(FeatureSetCatalog catalog, IFeatureHistory history, IOnlineFeatureStore online, OnlineFeatureCache cache)
    {
        _catalog = catalog;
        _history = history;
        _online = online;
        _cache = cache;
    }

    public override async Task<MaterialisationChunkResult> RunAsync(TaskActivityContext context, MaterialisationChunk chunk)
    {
        var set = await _catalog.GetAsync(chunk.Name, chunk.Version, CancellationToken.None).ConfigureAwait(false);
        var pending = new List<FeatureRecord>(WriteRows);
        var blobs = 0;
        long rows = 0, written = 0, updated = 0, kept = 0;
        foreach (var date in chunk.Parts.GroupBy(p => p.Date))
        {
            var names = await _history.ListAsync(set, date.Key, date.Key, CancellationToken.None).ConfigureAwait(false);
            foreach (var name in names)
            {
                if (!BlobFeatureHistory.TryParseName(name, out _, out var file) || !date.Any(p => file.StartsWith(p.Prefix, StringComparison.Ordinal)))
                {
                    continue;
                }

                blobs++;
                foreach (var row in await _history.ReadAsync(set, name, CancellationToken.None).ConfigureAwait(false))
                {
                    pending.Add(row);
                    rows++;
                    if (pending.Count >= WriteRows)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }
            }
        }

        await FlushAsync().ConfigureAwait(false);
        return new MaterialisationChunkResult(chunk.Index, blobs, rows, written, updated, kept);

        async Task FlushAsync()
        {
            if (pending.Count == 0)
            {
                return;
            }

            try
            {
                var result = await _online.WriteAsync(set, pending, CancellationToken.None).ConfigureAwait(false);
                written += result.EntitiesWritten;
                updated += result.ValuesUpdated;
                kept += result.ValuesKept;
            }
            finally
            {
                _cache.Invalidate(set, pending.Select(r => r.EntityKey));
            }

            pending.Clear();
        }
    }
}
