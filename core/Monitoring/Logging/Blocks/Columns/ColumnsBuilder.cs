using System.Text.Json;

namespace Serverless.Core.Monitoring.Logging.Blocks.Columns;

/// <summary>
/// Builds the payload of a columnar block (see <see cref="InferenceLogBlockFormat"/>) from records given as the JSON
/// objects <see cref="InferenceLogRecordJson"/> writes (or an earlier JSON block holds): each record's fields are
/// appended to their columns as the JSON is read, so no record object is made. Layout after the 4-byte
/// <see cref="Magic"/>: varint rows; request ids (<see cref="TextColumn"/>); row numbers (varint byte length, zigzag
/// varints); versions; request times (varint byte length, zigzag varints of UTC ticks less the previous row's);
/// latencies (<see cref="NumberColumn"/>, ms); statuses; sources; errors (null for none); HTTP statuses (varint byte
/// length, varint 0 for none or zigzag + 1); labels; probabilities; values (absent for none); flags (varint byte
/// length, a byte per row: 1 truncated, 2 mirror); features and outputs (<see cref="SectionBuilder"/>). Not thread-safe.
/// </summary>
internal sealed class ColumnsBuilder
{
    /// <summary>"ILC" and format version 1.</summary>
    public static ReadOnlySpan<byte> Magic => "ILC\u0001"u8;

    /// <summary>Most cells (rows × feature and output columns) a block is built with; the decoder allows twice as many.</summary>
    public const int MaxCells = LoggedColumns.MaxCells / 2;

    /// <summary>Most distinct layouts per section.</summary>
    public const int MaxLayouts = 1_000;

    private const int Truncated = 1;
    private const int Mirrored = 2;

    private readonly TextColumn _ids = new();
    private readonly ColumnBytes _rowNumbers = new(1024);
    private readonly TextColumn _versions = new();
    private readonly ColumnBytes _ticks = new(1024);
    private readonly NumberColumn _latencies = new();
    private readonly TextColumn _statuses = new();
    private readonly TextColumn _sources = new();
    private readonly TextColumn _errors = new();
    private readonly ColumnBytes _statusCodes = new(256);
    private readonly TextColumn _labels = new();
    private readonly NumberColumn _probabilities = new();
    private readonly NumberColumn _values = new();
    private readonly ColumnBytes _flags = new(1024);
    private readonly SectionBuilder _features = new();
    private readonly SectionBuilder _outputs = new();
    private long _previousTicks;

    public int Rows { get; private set; }

    /// <summary>Bytes the payload will take (exact to within a few bytes per column).</summary>
    public int Bytes => Magic.Length + 10 + _ids.Bytes + _rowNumbers.Length + _versions.Bytes + _ticks.Length + _latencies.Bytes + _statuses.Bytes +
                        _sources.Bytes + _errors.Bytes + _statusCodes.Length + _labels.Bytes + _probabilities.Bytes + _values.Bytes + _flags.Length + 60 +
                        _features.Bytes + _outputs.Bytes;

    /// <summary>
    /// Whether a record of <paramref name="jsonBytes"/> JSON surely keeps the payload within <paramref name="maxBytes"/>
    /// and the block within <see cref="MaxCells"/> and <see cref="MaxLayouts"/> (a record takes at most twice its JSON
    /// size and holds at most one column per 4 bytes of it).
    /// </summary>
    public bool Fits(int jsonBytes, int maxBytes) =>
        Rows == 0 ||
        (Bytes + (2L * jsonBytes) + 256 <= maxBytes &&
         (Rows + 1L) * (_features.Columns + _outputs.Columns + (jsonBytes / 4)) <= MaxCells &&
         _features.Layouts < MaxLayouts && _outputs.Layouts < MaxLayouts);

    public void Clear()
    {
        foreach (var text in (ReadOnlySpan<TextColumn>)[_ids, _versions, _statuses, _sources, _errors, _labels])
        {
            text.Clear();
        }

        foreach (var bytes in (ReadOnlySpan<ColumnBytes>)[_rowNumbers, _ticks, _statusCodes, _flags])
        {
            bytes.Clear();
        }

        _latencies.Clear();
        _probabilities.Clear();
        _values.Clear();
        _features.Clear();
        _outputs.Clear();
        _previousTicks = 0;
        Rows = 0;
    }

    /// <summary>Appends one record given as a JSON object with the fields <see cref="InferenceLogBlockFormat"/> names.</summary>
    /// <exception cref="JsonException">The JSON is not an object.</exception>
    public void Add(ReadOnlySpan<byte> record)
    {
        var json = new Utf8JsonReader(record);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An inference log record is not a JSON object.");
        }

        var seen = Field.None;
        int row = 0, statusCode = 0;
        long ticks = 0;
        var flags = 0;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var field = Name(ref json);
            json.Read();
            if (field == Field.None || (seen & field) != 0)
            {
                json.Skip();
                continue;
            }

            seen |= field;
            switch (field)
            {
                case Field.Id: TextColumn.AddJsonString(_ids, ref json); break;
                case Field.Row: row = json.GetInt32(); break;
                case Field.Version: TextColumn.AddJsonString(_versions, ref json); break;
                case Field.Ticks: ticks = json.GetInt64(); break;
                case Field.Latency: AddNumber(_latencies, ref json); break;
                case Field.Status: TextColumn.AddJsonString(_statuses, ref json); break;
                case Field.Source: TextColumn.AddJsonString(_sources, ref json); break;
                case Field.Error: AddNullableText(_errors, ref json); break;
                case Field.StatusCode: statusCode = json.GetInt32(); break;
                case Field.Label: AddNullableText(_labels, ref json); break;
                case Field.Probability: AddNumber(_probabilities, ref json); break;
                case Field.Value: AddNumber(_values, ref json); break;
                case Field.Truncated: flags |= json.GetBoolean() ? Truncated : 0; break;
                case Field.Mirror: flags |= json.GetBoolean() ? Mirrored : 0; break;
                case Field.Features: AddObject(_features, ref json, record); break;
                case Field.Outputs: AddObject(_outputs, ref json, record); break;
            }
        }

        AddDefaults(seen);
        _rowNumbers.WriteZigzag(row);
        _ticks.WriteZigzag(ticks - _previousTicks);
        _previousTicks = ticks;
        _statusCodes.WriteVarint(seen.HasFlag(Field.StatusCode) ? ColumnBytes.Zigzag(statusCode) + 1 : 0);
        _flags.WriteByte((byte)flags);
        Rows++;
    }

    /// <summary>The features of the row being added by <see cref="AddFields"/>.</summary>
    public SectionBuilder Features => _features;

    /// <summary>The outputs of the row being added by <see cref="AddFields"/>.</summary>
    public SectionBuilder Outputs => _outputs;

    /// <summary>
    /// Appends a served row's fields given as values (numbers as the JSON writer writes them: the latency as a double,
    /// the probability and value FP32-aware; NaN for none), without JSON; the caller then writes its features and its
    /// outputs, each exactly once (an object, or none).
    /// </summary>
    public void AddFields(string requestId, int row, string version, long ticks, double latencyMs, string status, string source, string? label,
        double probability, double value, bool mirror)
    {
        _ids.Add(requestId);
        _rowNumbers.WriteZigzag(row);
        _versions.Add(version);
        _ticks.WriteZigzag(ticks - _previousTicks);
        _previousTicks = ticks;
        _latencies.AddLogged(latencyMs, fp32WhenExact: false);
        _statuses.Add(status);
        _sources.Add(source);
        _errors.Add((string?)null);
        _statusCodes.WriteVarint(0);
        _labels.Add(label);
        AddLogged(_probabilities, probability);
        AddLogged(_values, value);
        _flags.WriteByte((byte)(mirror ? Mirrored : 0));
        Rows++;
    }

    private static void AddLogged(NumberColumn column, double value)
    {
        if (double.IsFinite(value))
        {
            column.AddLogged(value);
        }
        else
        {
            column.AddAbsent();
        }
    }

    public void WriteTo(ColumnBytes output)
    {
        output.WriteBytes(Magic);
        output.WriteVarint((ulong)Rows);
        _ids.WriteTo(output);
        WriteBytes(output, _rowNumbers);
        _versions.WriteTo(output);
        WriteBytes(output, _ticks);
        _latencies.WriteTo(output);
        _statuses.WriteTo(output);
        _sources.WriteTo(output);
        _errors.WriteTo(output);
        WriteBytes(output, _statusCodes);
        _labels.WriteTo(output);
        _probabilities.WriteTo(output);
        _values.WriteTo(output);
        WriteBytes(output, _flags);
        _features.WriteTo(output);
        _outputs.WriteTo(output);
    }

    private static void WriteBytes(ColumnBytes output, ColumnBytes bytes)
    {
        output.WriteVarint((ulong)bytes.Length);
        output.WriteBytes(bytes.Written);
    }

    private void AddDefaults(Field seen)
    {
        if (!seen.HasFlag(Field.Id))
        {
            _ids.Add("");
        }

        if (!seen.HasFlag(Field.Version))
        {
            _versions.Add("");
        }

        if (!seen.HasFlag(Field.Latency))
        {
            _latencies.Add(0);
        }

        if (!seen.HasFlag(Field.Status))
        {
            _statuses.Add(InferenceLogStatus.Ok);
        }

        if (!seen.HasFlag(Field.Source))
        {
            _sources.Add("");
        }

        if (!seen.HasFlag(Field.Error))
        {
            _errors.Add((string?)null);
        }

        if (!seen.HasFlag(Field.Label))
        {
            _labels.Add((string?)null);
        }

        if (!seen.HasFlag(Field.Probability))
        {
            _probabilities.AddAbsent();
        }

        if (!seen.HasFlag(Field.Value))
        {
            _values.AddAbsent();
        }

        if (!seen.HasFlag(Field.Features))
        {
            _features.AddNone();
        }

        if (!seen.HasFlag(Field.Outputs))
        {
            _outputs.AddNone();
        }
    }

    private static void AddNullableText(TextColumn column, ref Utf8JsonReader json)
    {
        if (json.TokenType == JsonTokenType.Null)
        {
            column.Add((string?)null);
        }
        else
        {
            TextColumn.AddJsonString(column, ref json);
        }
    }

    private static void AddNumber(NumberColumn column, ref Utf8JsonReader json)
    {
        if (!column.TryAdd(ref json))
        {
            column.AddAbsent();
        }
    }

    private static void AddObject(SectionBuilder section, ref Utf8JsonReader json, ReadOnlySpan<byte> record)
    {
        if (json.TokenType == JsonTokenType.StartObject)
        {
            section.AddObject(ref json, record);
        }
        else
        {
            json.Skip();
            section.AddNone();
        }
    }

    private static Field Name(ref Utf8JsonReader json)
    {
        var name = json.ValueSpan;
        if (json.ValueIsEscaped || name.Length > 5)
        {
            return Field.None;
        }

        return name switch
        {
            _ when name.SequenceEqual("id"u8) => Field.Id,
            _ when name.SequenceEqual("row"u8) => Field.Row,
            _ when name.SequenceEqual("ver"u8) => Field.Version,
            _ when name.SequenceEqual("t"u8) => Field.Ticks,
            _ when name.SequenceEqual("lat"u8) => Field.Latency,
            _ when name.SequenceEqual("st"u8) => Field.Status,
            _ when name.SequenceEqual("src"u8) => Field.Source,
            _ when name.SequenceEqual("err"u8) => Field.Error,
            _ when name.SequenceEqual("sc"u8) => Field.StatusCode,
            _ when name.SequenceEqual("label"u8) => Field.Label,
            _ when name.SequenceEqual("p"u8) => Field.Probability,
            _ when name.SequenceEqual("v"u8) => Field.Value,
            _ when name.SequenceEqual("f"u8) => Field.Features,
            _ when name.SequenceEqual("o"u8) => Field.Outputs,
            _ when name.SequenceEqual("tr"u8) => Field.Truncated,
            _ when name.SequenceEqual("mi"u8) => Field.Mirror,
            _ => Field.None,
        };
    }

    [Flags]
    private enum Field
    {
        None = 0,
        Id = 1 << 0,
        Row = 1 << 1,
        Version = 1 << 2,
        Ticks = 1 << 3,
        Latency = 1 << 4,
        Status = 1 << 5,
        Source = 1 << 6,
        Error = 1 << 7,
        StatusCode = 1 << 8,
        Label = 1 << 9,
        Probability = 1 << 10,
        Value = 1 << 11,
        Features = 1 << 12,
        Outputs = 1 << 13,
        Truncated = 1 << 14,
        Mirror = 1 << 15,
    }
}
