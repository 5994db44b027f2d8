using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.DurableTask;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Storage;
using Serverless.Core.Tabular;
using Serverless.Core.Telemetry;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Scores one chunk: streams its byte range, maps rows to the model's inputs with the manifest (the same
/// mapping the records API uses), runs batched inference on the warm session and writes its own part blob, uploading it
/// block by block while it reads on (<see cref="BlockUploadStream"/>; committed whole at the end, replacing any earlier
/// attempt's, so a retried chunk never duplicates rows). Refused rows go to the chunk's errors
/// blob (<see cref="BatchRowError"/>) with their row number, id (when the job has an id column) and reason; every
/// input row is either scored or listed there.
/// </summary>
[DurableTask(Name)]
public sealed class ScoreChunkActivity : TaskActivity<ChunkWork, ChunkResult>
{
    public const string Name = "BatchScoringScoreChunk";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Data rows as the planner cut them: comma separated, no header, one row per line, nothing thrown for odd rows.</summary>
    private static readonly CsvReaderOptions DataOptions = new()
    {
        HasHeader = false,
        Separator = ',',
        DetectSeparatorHint = false,
        AllowLineBreaksInQuotes = false,
        SkipEmptyLines = true,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MalformedData = CsvMalformedDataHandling.Recover,
        IncludeValuesInExceptions = false,
    };

    /// <summary>As <see cref="DataOptions"/> for the blob's HTTP stream: fewer, larger reads (each read also resets the SDK's network timeout).</summary>
    private static readonly CsvReaderOptions StreamOptions = DataOptions with { BufferSize = 1 << 20 };

    private readonly InputBlobReader _blobs;
    private readonly BatchScorers _models;
    private readonly FeatureRowAssembler _features;

    public ScoreChunkActivity(InputBlobReader blobs, BatchScorers models, FeatureRowAssembler features)
    {
        _blobs = blobs;
        _models = models;
        _features = features;
    }

    public override async Task<ChunkResult> RunAsync(TaskActivityContext context, ChunkWork work)
    {
        var started = Stopwatch.GetTimestamp();
        using var model = await _models.LeaseAsync(work.Plan.Model, work.Plan.ModelVersion, work.Request.ResolvedMembers, CancellationToken.None).ConfigureAwait(false);

        var errors = new List<RowError>();
        var ids = new Dictionary<long, RowId>();
        long accepted = 0;
        await using (var part = new BlockUploadStream(await _blobs.OutputBlockBlobAsync(work.PartBlob).ConfigureAwait(false)))
        await using (var csv = CsvWriter.Create(part, PredictionCsv.Options, leaveOpen: true))
        {
            var output = new PredictionCsv(csv, model.Manifest, work.Request.IdColumn ?? "row");
            output.WriteHeader();
            var join = FeatureRowAssembler.Joins(model.Tabular)
                ? (_features, await _features.GetPlanAsync(model.Tabular, CancellationToken.None).ConfigureAwait(false))
                : ((FeatureRowAssembler, FeatureJoinPlan)?)null;
            var scorer = new ChunkScorer(model, output, errors, join, work.Request.IdColumn is null ? null : ids);
            await using var input = await _blobs.OpenRangeAsync(work.Request.Input, work.Chunk.Start, work.Chunk.End, CancellationToken.None).ConfigureAwait(false);
            if (work.Plan.Format == BatchFormats.Csv)
            {
                await ReadCsvAsync(input, work, scorer, ids).ConfigureAwait(false);
            }
            else
            {
                using var reader = new StreamReader(input, Utf8, detectEncodingFromByteOrderMarks: false, 1 << 16);
                await ReadJsonLinesAsync(reader, work, scorer, ids).ConfigureAwait(false);
            }

            await scorer.FlushAsync().ConfigureAwait(false);
            await csv.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            accepted = scorer.Accepted;
        }

        var staged = work.FirstRow is null;
        await WriteErrorsAsync(staged ? work.StagedErrorsBlob : work.ErrorsBlob, errors, ids).ConfigureAwait(false);
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        AppMetrics.RecordChunk(work.Plan.Model, work.Plan.ModelVersion, accepted, errors.Count, elapsedMs);
        return new ChunkResult(work.Chunk.Index, accepted + errors.Count, accepted, errors.Count, elapsedMs, work.PartBlob, work.ErrorsBlob, staged, staged ? work.StagedErrorsBlob : null);
    }

    /// <summary>Scores the chunk's CSV rows; for a refused row of a job with an id column, its id (or why it is unreadable) goes into <paramref name="ids"/>.</summary>
    private static async Task ReadCsvAsync(Stream input, ChunkWork work, ChunkScorer scorer, Dictionary<long, RowId> ids)
    {
        var header = ParseHeader(work.Plan.Header ?? string.Empty);
        var binding = scorer.Batch.BindColumns(header);
        var idIndex = -1;
        if (work.Request.IdColumn is { } idColumn)
        {
            idIndex = Array.IndexOf(header, idColumn);
            if (idIndex < 0)
            {
                throw ServingException.BadRequest($"The id column {DataText.Quote(idColumn)} is not in the header ({DataText.List(header)}).");
            }
        }

        await using var reader = CsvReader.Create(input, StreamOptions, leaveOpen: true);
        var cells = new CsvRecordCells(reader);
        var rowText = new byte[20];
        var row = work.FirstRow ?? 1;
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var id = idIndex < 0 ? RowNumber(row, rowText) : idIndex < reader.FieldCount ? reader.GetSpan(idIndex) : [];
            if (!scorer.AddCsv(row, id, binding, cells) && idIndex >= 0)
            {
                ids[row] = RowIds.FromCsvCell(idIndex < reader.FieldCount ? reader.GetSpan(idIndex) : [], idIndex, reader.FieldCount, work.Request.IdColumn!);
            }

            if (scorer.IsFull)
            {
                await scorer.FlushAsync().ConfigureAwait(false);
            }

            row++;
        }
    }

    private static async Task ReadJsonLinesAsync(StreamReader reader, ChunkWork work, ChunkScorer scorer, Dictionary<long, RowId> ids)
    {
        var rowText = new byte[20];
        var row = work.FirstRow ?? 1;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var json = Utf8.GetBytes(line);
            var rowId = work.Request.IdColumn is { } idColumn ? RowIds.FromJsonLine(json, idColumn) : default;
            var id = work.Request.IdColumn is not null ? Utf8.GetBytes(rowId.Value ?? string.Empty) : RowNumber(row, rowText);
            if (!scorer.AddJson(row, id, json) && work.Request.IdColumn is not null)
            {
                ids[row] = rowId;
            }

            if (scorer.IsFull)
            {
                await scorer.FlushAsync().ConfigureAwait(false);
            }

            row++;
        }
    }

    private static ReadOnlySpan<byte> RowNumber(long row, byte[] buffer) =>
        row.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture) ? buffer.AsSpan(0, written) : throw new InvalidOperationException("Row number too long.");

    private static string[] ParseHeader(string header)
    {
        using var reader = CsvReader.FromText(header, DataOptions);
        if (!reader.Read())
        {
            return [];
        }

        var names = new string[reader.FieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.GetString(i).Trim();
        }

        return names;
    }

    private async Task WriteErrorsAsync(string path, List<RowError> errors, Dictionary<long, RowId> ids)
    {
        var blob = await _blobs.OutputBlobAsync(path).ConfigureAwait(false);
        if (errors.Count == 0)
        {
            await blob.DeleteIfExistsAsync().ConfigureAwait(false);
            return;
        }

        var lines = new StringBuilder();
        foreach (var error in errors)
        {
            lines.Append(BatchRowError.From(error, ids.TryGetValue(error.Row, out var id) ? id : null).ToJsonLine()).Append('\n');
        }

        await blob.UploadAsync(BinaryData.FromString(lines.ToString()), overwrite: true).ConfigureAwait(false);
    }
}
