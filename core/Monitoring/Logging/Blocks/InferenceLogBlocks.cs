using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// Turns completed captures into blocks: each record is written as JSON (all serialisation happens here, off the
/// request path) and appended to the columns of the open block of its table and partition. A block is ready once it
/// holds <see cref="MaxBlockRecords"/> records or a record might take it past <see cref="MaxBlockBytes"/> of payload (or
/// its cells past <see cref="Columns.ColumnsBuilder.MaxCells"/>), or when a record would stretch it past
/// <see cref="InferenceLogBlockFormat.MaxSpan"/>; <see cref="TakeAll"/> closes the rest (the writer's flush). A record
/// that cannot be written is skipped whole and reported by <see cref="Add"/>, so a block never holds half a record.
/// Not thread-safe (the writer's loop only).
/// </summary>
internal sealed class InferenceLogBlocks
{
    public const int MaxBlockRecords = 10_000;
    /// <summary>Most uncompressed payload bytes: compressed, a block then always fits <see cref="InferenceLogBlockFormat.MaxParts"/> parts.</summary>
    public const int MaxBlockBytes = 850 * 1024;

    private readonly string _tablePrefix;
    private readonly int _shards;
    private readonly string _writerId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private readonly Dictionary<(string Table, string Partition), InferenceLogBlockBuilder> _open = [];
    private readonly Dictionary<(string Model, long Hour, int Shard), (string Table, string Partition)> _keys = [];
    private readonly Stack<InferenceLogBlockBuilder> _free = new();
    private readonly List<InferenceLogBlock> _ready = [];
    private readonly InferenceLogRecordJson _records = new();
    private readonly ArrayBufferWriter<byte> _record = new(4096);
    private readonly Utf8JsonWriter _recordJson;
    private long _sequence;

    public InferenceLogBlocks(string tablePrefix, int shards)
    {
        _tablePrefix = tablePrefix;
        _shards = shards;
        _recordJson = new Utf8JsonWriter(_record, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>Records held, in open and ready blocks.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a completed capture's records; returns how many could not be written (left out) and why the first failed.</summary>
    public (int Failed, Exception? Error) Add(InferenceLogCapture capture)
    {
        var key = Key(capture);
        var ticks = capture.TimestampUtc.UtcTicks;
        var failed = 0;
        Exception? firstFailure = null;
        var first = capture.Status == InferenceLogStatus.Error ? -1 : 0;
        for (var row = first; row < first + capture.RecordCount; row++)
        {
            if (TabularRows.TryMeasure(capture, row, out var bound))
            {
                // A records API row goes straight into the columns; anything else is written as JSON and read into them.
                var direct = Fit(key, capture.Model, ticks, bound);
                direct.AppendTabular(capture, row, ticks);
                Count++;
                continue;
            }

            _record.ResetWrittenCount();
            _recordJson.Reset();
            try
            {
                _records.Write(_recordJson, capture, row);
                _recordJson.Flush();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                failed++;
                firstFailure ??= e;
                continue;
            }

            var block = Fit(key, capture.Model, ticks, _record.WrittenCount);
            block.Append(_record.WrittenSpan, ticks, capture.RequestIdHash, row);
            Count++;
        }

        return (failed, firstFailure);
    }

    /// <summary>The ready blocks, removed.</summary>
    public List<InferenceLogBlock> TakeReady()
    {
        var ready = new List<InferenceLogBlock>(_ready);
        _ready.Clear();
        foreach (var block in ready)
        {
            Count -= block.Records;
        }

        return ready;
    }

    /// <summary>Every block, ready or open, removed.</summary>
    public List<InferenceLogBlock> TakeAll()
    {
        foreach (var (key, block) in _open.ToList())
        {
            Close(key, block);
        }

        return TakeReady();
    }

    /// <summary>The capture's table and partition, formatted once per model, hour and shard rather than per request.</summary>
    private (string Table, string Partition) Key(InferenceLogCapture capture)
    {
        var hour = capture.TimestampUtc.UtcTicks / TimeSpan.TicksPerHour;
        var shard = InferenceLogKeys.Shard(capture.RequestIdHash, _shards);
        if (!_keys.TryGetValue((capture.Model, hour, shard), out var key))
        {
            if (_keys.Count >= 10_000)
            {
                _keys.Clear();
            }

            key = (InferenceLogKeys.TableName(_tablePrefix, capture.TimestampUtc), InferenceLogKeys.PartitionKey(capture.Model, capture.TimestampUtc, shard));
            _keys.Add((capture.Model, hour, shard), key);
        }

        return key;
    }

    /// <summary>The open block of the key, closed first and replaced when a record of this time and JSON size might not fit it.</summary>
    private InferenceLogBlockBuilder Fit((string Table, string Partition) key, string model, long ticks, int jsonBytes)
    {
        var block = Block(key, model);
        if (!block.Spans(ticks) || block.Records >= MaxBlockRecords || !block.Fits(jsonBytes))
        {
            Close(key, block);
            block = Block(key, model);
        }

        return block;
    }

    private InferenceLogBlockBuilder Block((string Table, string Partition) key, string model)
    {
        if (!_open.TryGetValue(key, out var block))
        {
            block = _free.Count > 0 ? _free.Pop() : new InferenceLogBlockBuilder();
            block.Open(key.Table, key.Partition, model);
            _open.Add(key, block);
        }

        return block;
    }

    private void Close((string Table, string Partition) key, InferenceLogBlockBuilder block)
    {
        _open.Remove(key);
        if (block.Records > 0)
        {
            _ready.Add(block.Close(_writerId, _sequence++));
        }

        _free.Push(block);
    }
}
