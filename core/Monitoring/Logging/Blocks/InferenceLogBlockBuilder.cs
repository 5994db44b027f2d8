using System.IO.Compression;
using Azure.Data.Tables;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// A block being filled: records of one table and partition, given as JSON objects, appended to their columns
/// (<see cref="ColumnsBuilder"/>), then <see cref="Close"/> compresses the columns into an <see cref="InferenceLogBlock"/>
/// and empties the builder for reuse.
/// Not thread-safe (the writer's loop only).
/// </summary>
internal sealed class InferenceLogBlockBuilder
{
    private readonly ColumnsBuilder _columns = new();
    private readonly ColumnBytes _payload = new(64 * 1024);
    private readonly MemoryStream _compressed = new();
    private readonly RequestIdIndex _ids = new();
    private long _firstTicks;
    private long _lastTicks;

    public string Table { get; private set; } = "";

    public string PartitionKey { get; private set; } = "";

    public string Model { get; private set; } = "";

    public int Records { get; private set; }

    /// <summary>Uncompressed payload bytes so far.</summary>
    public long Bytes => _columns.Bytes;

    /// <summary>Whether a record of <paramref name="jsonBytes"/> JSON surely keeps the block within its bounds (see <see cref="ColumnsBuilder.Fits"/>).</summary>
    public bool Fits(int jsonBytes) => _columns.Fits(jsonBytes, InferenceLogBlocks.MaxBlockBytes);

    public void Open(string table, string partitionKey, string model)
    {
        Table = table;
        PartitionKey = partitionKey;
        Model = model;
    }

    /// <summary>Whether a record of this time keeps the block within <see cref="InferenceLogBlockFormat.MaxSpan"/>.</summary>
    public bool Spans(long ticks) =>
        Records == 0 || Math.Max(_lastTicks, ticks) - Math.Min(_firstTicks, ticks) <= InferenceLogBlockFormat.MaxSpan.Ticks;

    /// <summary>Appends row <paramref name="row"/> of a capture that <see cref="TabularRows.TryMeasure"/> accepted, written straight into the columns.</summary>
    public void AppendTabular(InferenceLogCapture capture, int row, long ticks)
    {
        Track(ticks);
        TabularRows.Write(_columns, capture, row);
        _ids.Add(capture.RequestIdHash, row);
        Records++;
    }

    /// <summary>Appends one record's JSON object (already written and valid), of row <paramref name="row"/> of the request whose id hashes to <paramref name="requestIdHash"/>.</summary>
    public void Append(ReadOnlySpan<byte> recordJson, long ticks, ulong requestIdHash, int row)
    {
        Track(ticks);
        _columns.Add(recordJson);
        _ids.Add(requestIdHash, row);
        Records++;
    }

    private void Track(long ticks)
    {
        if (Records == 0)
        {
            _firstTicks = _lastTicks = ticks;
        }
        else
        {
            _firstTicks = Math.Min(_firstTicks, ticks);
            _lastTicks = Math.Max(_lastTicks, ticks);
        }
    }

    /// <summary>The block as an entity (GZip, split into binary parts), after which the builder is empty.</summary>
    public InferenceLogBlock Close(string writerId, long sequence)
    {
        _payload.Clear();
        _columns.WriteTo(_payload);
        // Reused, like the payload buffer: a fresh buffer per block would be a large-object allocation, and those bring on
        // full collections that cost the serving threads more than the logging itself.
        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(_payload.Written);
        }

        var bytes = _compressed.GetBuffer().AsSpan(0, (int)_compressed.Length);
        var parts = (bytes.Length + InferenceLogBlockFormat.PartBytes - 1) / InferenceLogBlockFormat.PartBytes;
        if (parts > InferenceLogBlockFormat.MaxParts)
        {
            throw new InvalidOperationException($"An inference log block compressed to {bytes.Length} bytes, more than an entity holds.");
        }

        var first = new DateTimeOffset(_firstTicks, TimeSpan.Zero);
        var entity = new TableEntity(PartitionKey, InferenceLogBlockFormat.RowKey(first, writerId, sequence))
        {
            [InferenceLogBlockFormat.ModelProperty] = Model,
            [InferenceLogBlockFormat.RecordsProperty] = Records,
            [InferenceLogBlockFormat.FirstProperty] = first,
            [InferenceLogBlockFormat.LastProperty] = new DateTimeOffset(_lastTicks, TimeSpan.Zero),
            [InferenceLogBlockFormat.FormatProperty] = InferenceLogBlockFormat.FormatName,
        };
        for (var i = 0; i < parts; i++)
        {
            var start = i * InferenceLogBlockFormat.PartBytes;
            entity[InferenceLogBlockFormat.PartName(i)] = bytes.Slice(start, Math.Min(InferenceLogBlockFormat.PartBytes, bytes.Length - start)).ToArray();
        }

        var ids = _ids.ToBytes();
        var idParts = (ids.Length + InferenceLogBlockFormat.PartBytes - 1) / InferenceLogBlockFormat.PartBytes;
        for (var i = 0; idParts <= InferenceLogBlockFormat.MaxIdsParts && i < idParts; i++)
        {
            var start = i * InferenceLogBlockFormat.PartBytes;
            entity[InferenceLogBlockFormat.IdsPartName(i)] = ids.AsSpan(start, Math.Min(InferenceLogBlockFormat.PartBytes, ids.Length - start)).ToArray();
        }

        var block = new InferenceLogBlock(Table, entity, Records);
        _ids.Clear();
        _columns.Clear();
        Records = 0;
        return block;
    }
}
