using System.Text.Json;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// A decoded block of the inference log, column by column (see <see cref="Blocks.InferenceLogBlockFormat"/>): per row
/// the fields of <see cref="InferenceLogRecord"/> in arrays indexed by row (absent probabilities and values are NaN,
/// absent HTTP statuses 0), and the features and outputs as <see cref="LoggedColumns"/>. Strings that repeat (versions,
/// statuses, labels, categories) are shared instances. <see cref="Selected"/> lists the rows a reader chose (those in
/// its time window), ascending. <see cref="Record"/> gives the record view of a row. Immutable; thread-safe.
/// </summary>
public sealed class InferenceLogColumns
{
    private const byte Truncated = 1;
    private const byte Mirrored = 2;
    private static readonly IReadOnlyDictionary<string, JsonElement> NoFeatures = new Dictionary<string, JsonElement>();

    private readonly string[] _requestIds;
    private readonly int[] _rows;
    private readonly string[] _versions;
    private readonly long[] _ticks;
    private readonly double[] _latencies;
    private readonly string[] _statuses;
    private readonly string[] _sources;
    private readonly string?[] _errors;
    private readonly int[] _statusCodes;
    private readonly string?[] _labels;
    private readonly double[] _probabilities;
    private readonly double[] _values;
    private readonly byte[] _flags;
    private readonly int[] _selected;

    private InferenceLogColumns(string model, string[] requestIds, int[] rows, string[] versions, long[] ticks, double[] latencies, string[] statuses,
        string[] sources, string?[] errors, int[] statusCodes, string?[] labels, double[] probabilities, double[] values, byte[] flags,
        LoggedColumns features, LoggedColumns outputs, int[]? selected = null)
    {
        Model = model;
        _requestIds = requestIds;
        _rows = rows;
        _versions = versions;
        _ticks = ticks;
        _latencies = latencies;
        _statuses = statuses;
        _sources = sources;
        _errors = errors;
        _statusCodes = statusCodes;
        _labels = labels;
        _probabilities = probabilities;
        _values = values;
        _flags = flags;
        Features = features;
        Outputs = outputs;
        _selected = selected ?? Enumerable.Range(0, rows.Length).ToArray();
    }

    public string Model { get; }

    /// <summary>Rows in the block, selected or not.</summary>
    public int Count => _rows.Length;

    /// <summary>The rows chosen by the reader (all, unless a time window cut the block), ascending.</summary>
    public ReadOnlySpan<int> Selected => _selected;

    public ReadOnlySpan<string> RequestIds => _requestIds;

    /// <summary>Each record's row within its request (-1 for a failed request's record).</summary>
    public ReadOnlySpan<int> Rows => _rows;

    public ReadOnlySpan<string> Versions => _versions;

    /// <summary>When each request arrived, UTC ticks.</summary>
    public ReadOnlySpan<long> TicksUtc => _ticks;

    public ReadOnlySpan<double> LatencyMs => _latencies;

    public ReadOnlySpan<string> Statuses => _statuses;

    public ReadOnlySpan<string> Sources => _sources;

    public ReadOnlySpan<string?> Errors => _errors;

    /// <summary>A failed request's HTTP status; 0 for none.</summary>
    public ReadOnlySpan<int> StatusCodes => _statusCodes;

    public ReadOnlySpan<string?> Labels => _labels;

    /// <summary>The probability of the label; NaN for none.</summary>
    public ReadOnlySpan<double> Probabilities => _probabilities;

    /// <summary>The logged value; NaN for none.</summary>
    public ReadOnlySpan<double> Values => _values;

    public LoggedColumns Features { get; }

    public LoggedColumns Outputs { get; }

    public bool IsError(int row) => _statuses[row] == InferenceLogStatus.Error;

    public bool IsMirror(int row) => (_flags[row] & Mirrored) != 0;

    public bool IsTruncated(int row) => (_flags[row] & Truncated) != 0;

    /// <summary>The same block with only <paramref name="rows"/> (ascending indices) selected.</summary>
    public InferenceLogColumns Select(int[] rows) => new(Model, _requestIds, _rows, _versions, _ticks, _latencies, _statuses, _sources, _errors, _statusCodes,
        _labels, _probabilities, _values, _flags, Features, Outputs, rows);

    /// <summary>The selected rows whose request time is in [<paramref name="fromTicks"/>, <paramref name="toTicks"/>): this block itself when all are.</summary>
    public InferenceLogColumns Within(long fromTicks, long toTicks)
    {
        var all = true;
        foreach (var row in _selected)
        {
            all &= _ticks[row] >= fromTicks && _ticks[row] < toTicks;
        }

        return all ? this : Select(_selected.Where(r => _ticks[r] >= fromTicks && _ticks[r] < toTicks).ToArray());
    }

    /// <summary>Row <paramref name="row"/> as a record (features and outputs made JSON elements only when read).</summary>
    public InferenceLogRecord Record(int row) => new()
    {
        RequestId = _requestIds[row],
        Row = _rows[row],
        Model = Model,
        Version = _versions[row],
        TimestampUtc = new DateTimeOffset(_ticks[row], TimeSpan.Zero),
        LatencyMs = _latencies[row],
        Status = _statuses[row],
        Source = _sources[row],
        Error = _errors[row],
        StatusCode = _statusCodes[row] == 0 ? null : _statusCodes[row],
        Label = _labels[row],
        Probability = double.IsNaN(_probabilities[row]) ? null : _probabilities[row],
        Value = double.IsNaN(_values[row]) ? null : _values[row],
        Features = Features.Values(row) ?? NoFeatures,
        Outputs = Outputs.Values(row),
        Truncated = IsTruncated(row),
        Mirror = IsMirror(row),
    };

    /// <summary>The selected rows as records, in row order.</summary>
    public List<InferenceLogRecord> ToRecords()
    {
        var records = new List<InferenceLogRecord>(_selected.Length);
        foreach (var row in _selected)
        {
            records.Add(Record(row));
        }

        return records;
    }

    /// <summary>Records as blocks (a block per <see cref="ColumnsBuilder.MaxCells"/> cells or so): for judging records already held, and tests.</summary>
    public static IEnumerable<InferenceLogColumns> FromRecords(IEnumerable<InferenceLogRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var builder = new ColumnsBuilder();
        var json = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(json, new JsonWriterOptions { SkipValidation = true });
        string? model = null;
        foreach (var record in records)
        {
            json.ResetWrittenCount();
            writer.Reset();
            InferenceLogRecordWriter.Write(writer, record);
            writer.Flush();
            if ((model is not null && model != record.Model) || !builder.Fits(json.WrittenCount, int.MaxValue / 4))
            {
                yield return Build(builder, model!);
            }

            model = record.Model;
            builder.Add(json.WrittenSpan);
        }

        if (builder.Rows > 0)
        {
            yield return Build(builder, model!);
        }
    }

    /// <summary>Decodes a columnar payload (uncompressed) of a block of <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The payload is not a columnar block, or is truncated or corrupt.</exception>
    internal static InferenceLogColumns Read(ReadOnlySpan<byte> payload, string model)
    {
        if (!payload.StartsWith(ColumnsBuilder.Magic))
        {
            throw new InvalidDataException("An inference log block does not start with the columnar format's marker.");
        }

        var reader = new ColumnReader(payload[ColumnsBuilder.Magic.Length..]);
        var rows = reader.ReadCount(Math.Min(reader.Remaining, 10_000_000), "rows");
        var requestIds = Texts(ref reader, rows, nullable: false);
        var rowNumbers = Integers(ref reader, rows);
        var versions = Texts(ref reader, rows, nullable: false);
        var deltas = Integers64(ref reader, rows);
        var ticks = new long[rows];
        long previous = 0;
        for (var i = 0; i < rows; i++)
        {
            ticks[i] = previous += deltas[i];
        }

        var latencies = Numbers(ref reader, rows);
        var statuses = Texts(ref reader, rows, nullable: false);
        var sources = Texts(ref reader, rows, nullable: false);
        var errors = Texts(ref reader, rows, nullable: true);
        var codes = Integers64(ref reader, rows, zigzag: false);
        var statusCodes = codes.Select(c => c == 0 ? 0 : (int)ColumnReaderDecode(c - 1)).ToArray();
        var labels = Texts(ref reader, rows, nullable: true);
        var probabilities = Numbers(ref reader, rows);
        var values = Numbers(ref reader, rows);
        var flags = reader.ReadBytes(reader.ReadCount(reader.Remaining, "flag bytes")).ToArray();
        if (flags.Length != rows)
        {
            throw new InvalidDataException($"An inference log block holds {flags.Length} flags for {rows} rows.");
        }

        var features = LoggedColumns.Read(ref reader, rows);
        var outputs = LoggedColumns.Read(ref reader, rows);
        return new InferenceLogColumns(model, requestIds!, rowNumbers, versions!, ticks, latencies, statuses!, sources!, errors, statusCodes, labels,
            probabilities, values, flags, features, outputs);
    }

    internal static InferenceLogColumns Build(ColumnsBuilder builder, string model)
    {
        var payload = new ColumnBytes(builder.Bytes);
        builder.WriteTo(payload);
        builder.Clear();
        return Read(payload.Written, model);
    }

    private static string?[] Texts(ref ColumnReader reader, int rows, bool nullable)
    {
        var (strings, codes) = TextColumn.Read(ref reader, rows);
        if (codes.Length != rows || (!nullable && codes.Contains(-1)))
        {
            throw new InvalidDataException($"An inference log block holds a text column of {codes.Length} values for {rows} rows.");
        }

        return TextColumn.Resolve(strings, codes);
    }

    private static double[] Numbers(ref ColumnReader reader, int rows)
    {
        var numbers = NumberColumn.Read(ref reader, rows);
        return numbers.Length == rows
            ? numbers
            : throw new InvalidDataException($"An inference log block holds a number column of {numbers.Length} values for {rows} rows.");
    }

    private static int[] Integers(ref ColumnReader reader, int rows)
    {
        var values = Integers64(ref reader, rows);
        var integers = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            integers[i] = values[i] is >= int.MinValue and <= int.MaxValue
                ? (int)values[i]
                : throw new InvalidDataException("An inference log block holds a row number out of range.");
        }

        return integers;
    }

    private static long[] Integers64(ref ColumnReader reader, int rows, bool zigzag = true)
    {
        var bytes = new ColumnReader(reader.ReadBytes(reader.ReadCount(reader.Remaining, "integer bytes")));
        var values = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            values[i] = zigzag ? bytes.ReadZigzag() : (long)bytes.ReadVarint();
        }

        if (bytes.Remaining != 0)
        {
            throw new InvalidDataException("An inference log block holds more integers than rows.");
        }

        return values;
    }

    private static long ColumnReaderDecode(long value) => (long)((ulong)value >> 1) ^ -(value & 1);
}
