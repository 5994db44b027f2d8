using System.Text;
using Microsoft.DurableTask;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Storage;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Loads one byte range of a file being materialised: reads its lines (CSV under the file's header, or JSON Lines), checks every row as
/// <c>POST .../rows</c> does (<see cref="FeatureRowReader"/>; <c>ingested_at</c> is this activity's clock), then writes them
/// <see cref="MaterialiseChunkActivity.WriteRows"/> at a time through <see cref="FeatureIngestion.WriteRowsAsync"/>: history first, then
/// the online store, where an older event time never overwrites a newer one. A range with a bad row writes nothing and says why in
/// <see cref="MaterialisationChunkResult.Refused"/> (rows counted from the range's first line). Idempotent: a retry appends no history blob
/// twice (they are named by content) and changes nothing online.
/// </summary>
[DurableTask(Name)]
public sealed class MaterialiseFileChunkActivity : TaskActivity<FileMaterialisationChunk, MaterialisationChunkResult>
{
    public const string Name = "FeatureMaterialiseFileChunk";

    /// <summary>The longest line a chunk may end with past its nominal size.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    private readonly FeatureSetCatalog _catalog;
    private readonly InputBlobReader _input;
    private readonly FeatureIngestion _ingestion;
    private readonly TimeProvider _clock;

    public MaterialiseFileChunkActivity(FeatureSetCatalog catalog, InputBlobReader input, FeatureIngestion ingestion, TimeProvider clock)
    {
        _catalog = catalog;
        _input = input;
        _ingestion = ingestion;
        _clock = clock;
    }

    public override async Task<MaterialisationChunkResult> RunAsync(TaskActivityContext context, FileMaterialisationChunk chunk)
    {
        var set = await _catalog.GetAsync(chunk.Name, chunk.Version, CancellationToken.None).ConfigureAwait(false);
        DataPath.Parse(chunk.Source, MaterialisationSource.Field, _input.Containers);
        if (chunk.End - chunk.Start > MaterialisationSource.MaxChunkBytes + MaxLineBytes)
        {
            return new MaterialisationChunkResult(chunk.Index, 0, 0, 0, 0, 0,
                $"chunk {chunk.Index} (bytes {chunk.Start} to {chunk.End}): a line is longer than {MaxLineBytes / 1024} KiB; write one row per line.");
        }

        var bytes = await _input.ReadAsync(chunk.Source, chunk.Start, (int)(chunk.End - chunk.Start), CancellationToken.None).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        IReadOnlyList<FeatureRecord> rows;
        try
        {
            rows = chunk.Header is { } header
                ? FeatureRowReader.ReadCsv(set, Encoding.UTF8.GetBytes(header + "\n").Concat(bytes).ToArray(), int.MaxValue, now)
                : FeatureRowReader.ReadJsonLines(set, bytes, int.MaxValue, now);
        }
        catch (ServingException e) when (e.Kind is ServingErrorKind.BadRequest or ServingErrorKind.PayloadTooLarge)
        {
            return new MaterialisationChunkResult(chunk.Index, 0, 0, 0, 0, 0,
                $"chunk {chunk.Index} (bytes {chunk.Start} to {chunk.End}; rows counted from its first line): {e.Message}");
        }

        long written = 0, updated = 0, kept = 0;
        foreach (var slice in rows.Chunk(MaterialiseChunkActivity.WriteRows))
        {
            var result = await _ingestion.WriteRowsAsync(set, slice, now, CancellationToken.None).ConfigureAwait(false);
            written += result.Online.EntitiesWritten;
            updated += result.Online.ValuesUpdated;
            kept += result.Online.ValuesKept;
        }

        return new MaterialisationChunkResult(chunk.Index, 0, rows.Count, written, updated, kept);
    }
}
