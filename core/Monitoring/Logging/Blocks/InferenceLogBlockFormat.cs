using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Azure.Data.Tables;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// How the inference log stores records: many records of one partition (one model, hour and shard) per entity, a
/// <em>block</em>. Entity properties: <c>Model</c>, <c>Records</c> (count), <c>FirstUtc</c> / <c>LastUtc</c> (the
/// earliest and latest request time inside), <c>Format</c> (<see cref="FormatName"/>) and the payload in binary
/// properties <c>Data</c>, <c>Data1</c>, … (at most <see cref="PartBytes"/> each): the GZip of a UTF-8 JSON array of
/// record objects with fields <c>id</c> (request id), <c>row</c>, <c>ver</c>, <c>t</c> (request time, UTC ticks),
/// <c>lat</c> (ms), <c>st</c>, <c>src</c>, and where present <c>err</c>, <c>sc</c> (a failure's HTTP status), <c>label</c>, <c>p</c>, <c>v</c>, <c>f</c>
/// (features object), <c>o</c> (outputs object), <c>tr</c> (truncated) and <c>mi</c> (a mirror copy). Blocks written since feedback matching
/// also carry <c>Ids</c> (and <c>Ids1</c>, … past <see cref="PartBytes"/>): a <see cref="RequestIdIndex"/> of the
/// request ids and rows of the predictions inside, about 6 bytes per request, which feedback matching reads with a
/// <c>$select</c> of that property alone instead of the payload; blocks without it are decoded instead. RowKey <c>{FirstUtc ticks:D19}|{writer}|{seq}</c>
/// sorts blocks by their first record; a block spans at most <see cref="MaxSpan"/>, so a reader looking for records
/// at or after a time starts <see cref="MaxSpan"/> earlier. One entity per about a thousand rows instead of one per row
/// is what makes logging cheap: Table storage's cost is per entity and per byte, and JSON numbers compress about 3×.
/// Stateless and thread-safe.
/// </summary>
public static class InferenceLogBlockFormat
{
    public const string FormatName = "json-gzip-1";

    /// <summary>Largest binary property: Table storage allows 64 KiB.</summary>
    public const int PartBytes = 65_536;

    /// <summary>Most payload parts, so an entity stays well under Table storage's 1 MiB.</summary>
    public const int MaxParts = 14;

    /// <summary>Longest time between a block's first and last record.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromMinutes(5);

    public const string ModelProperty = "Model";
    public const string RecordsProperty = "Records";
    public const string FirstProperty = "FirstUtc";
    public const string LastProperty = "LastUtc";
    public const string FormatProperty = "Format";
    public const string DataProperty = "Data";
    public const string IdsProperty = "Ids";

    /// <summary>Most parts of the request id index (a block of 10,000 one-row requests needs one); an index that would need more is not stored.</summary>
    public const int MaxIdsParts = 4;

    internal static readonly JsonEncodedText RequestId = JsonEncodedText.Encode("id");
    internal static readonly JsonEncodedText Row = JsonEncodedText.Encode("row");
    internal static readonly JsonEncodedText Version = JsonEncodedText.Encode("ver");
    internal static readonly JsonEncodedText Ticks = JsonEncodedText.Encode("t");
    internal static readonly JsonEncodedText Latency = JsonEncodedText.Encode("lat");
    internal static readonly JsonEncodedText Status = JsonEncodedText.Encode("st");
    internal static readonly JsonEncodedText Source = JsonEncodedText.Encode("src");
    internal static readonly JsonEncodedText Error = JsonEncodedText.Encode("err");
    internal static readonly JsonEncodedText StatusCode = JsonEncodedText.Encode("sc");
    internal static readonly JsonEncodedText Label = JsonEncodedText.Encode("label");
    internal static readonly JsonEncodedText Probability = JsonEncodedText.Encode("p");
    internal static readonly JsonEncodedText Value = JsonEncodedText.Encode("v");
    internal static readonly JsonEncodedText Features = JsonEncodedText.Encode("f");
    internal static readonly JsonEncodedText Outputs = JsonEncodedText.Encode("o");
    internal static readonly JsonEncodedText Truncated = JsonEncodedText.Encode("tr");
    internal static readonly JsonEncodedText Mirror = JsonEncodedText.Encode("mi");

    private static readonly IReadOnlyDictionary<string, JsonElement> NoFeatures = new Dictionary<string, JsonElement>();

    /// <summary>The name of payload part <paramref name="index"/>: <c>Data</c>, <c>Data1</c>, <c>Data2</c>, …</summary>
    public static string PartName(int index) => index == 0 ? DataProperty : DataProperty + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The name of request id index part <paramref name="index"/>: <c>Ids</c>, <c>Ids1</c>, …</summary>
    public static string IdsPartName(int index) => index == 0 ? IdsProperty : IdsProperty + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The block's request id index (<see cref="RequestIdIndex"/>), or null for a block written without one.</summary>
    public static byte[]? ReadIds(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity.GetBinary(IdsProperty) is not { } first)
        {
            return null;
        }

        if (entity.GetBinary(IdsPartName(1)) is null)
        {
            return first;
        }

        using var parts = new MemoryStream();
        for (var i = 0; i < MaxIdsParts && entity.GetBinary(IdsPartName(i)) is { } part; i++)
        {
            parts.Write(part);
        }

        return parts.ToArray();
    }

    /// <summary>A block's RowKey: its first record's time, then the writer and its sequence number (unique per block).</summary>
    public static string RowKey(DateTimeOffset firstUtc, string writerId, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{InferenceLogKeys.RowKeyPrefix(firstUtc)}|{writerId}|{sequence:D12}");

    /// <summary>The records a block entity holds, in the order they were written.</summary>
    /// <exception cref="InvalidDataException">The entity is not a block of this format.</exception>
    public static List<InferenceLogRecord> ReadRecords(TableEntity entity)
    {
        var format = entity.GetString(FormatProperty);
        if (format != FormatName)
        {
            throw new InvalidDataException($"Inference log entity {entity.PartitionKey}/{entity.RowKey} has format '{format}', not '{FormatName}'.");
        }

        var model = entity.GetString(ModelProperty) ?? "";
        using var payload = new MemoryStream();
        for (var i = 0; i < MaxParts && entity.GetBinary(PartName(i)) is { } part; i++)
        {
            payload.Write(part);
        }

        payload.Position = 0;
        using var json = new MemoryStream(capacity: (int)Math.Min(payload.Length * 4, 8 << 20));
        using (var gzip = new GZipStream(payload, CompressionMode.Decompress))
        {
            gzip.CopyTo(json);
        }

        var reader = new Utf8JsonReader(json.GetBuffer().AsSpan(0, (int)json.Length));
        var root = JsonElement.ParseValue(ref reader);
        var records = new List<InferenceLogRecord>(root.GetArrayLength());
        var names = new NameCache();
        foreach (var element in root.EnumerateArray())
        {
            records.Add(ToRecord(model, element, names));
        }

        return records;
    }

    private static InferenceLogRecord ToRecord(string model, JsonElement element, NameCache names)
    {
        string requestId = "", version = "", status = InferenceLogStatus.Ok, source = "";
        string? error = null, label = null;
        var row = 0;
        int? statusCode = null;
        long ticks = 0;
        double latency = 0;
        double? probability = null, value = null;
        LoggedValues? features = null, outputs = null;
        bool truncated = false, mirror = false;
        foreach (var property in element.EnumerateObject())
        {
            var field = property.Value;
            if (property.NameEquals(Features.EncodedUtf8Bytes))
            {
                features = names.Features.Read(field);
            }
            else if (property.NameEquals(RequestId.EncodedUtf8Bytes))
            {
                requestId = field.GetString()!;
            }
            else if (property.NameEquals(Row.EncodedUtf8Bytes))
            {
                row = field.GetInt32();
            }
            else if (property.NameEquals(Version.EncodedUtf8Bytes))
            {
                version = names.Intern(field);
            }
            else if (property.NameEquals(Ticks.EncodedUtf8Bytes))
            {
                ticks = field.GetInt64();
            }
            else if (property.NameEquals(Latency.EncodedUtf8Bytes))
            {
                latency = field.GetDouble();
            }
            else if (property.NameEquals(Status.EncodedUtf8Bytes))
            {
                status = names.Intern(field);
            }
            else if (property.NameEquals(Source.EncodedUtf8Bytes))
            {
                source = names.Intern(field);
            }
            else if (property.NameEquals(Label.EncodedUtf8Bytes))
            {
                label = names.Intern(field);
            }
            else if (property.NameEquals(Probability.EncodedUtf8Bytes))
            {
                probability = field.GetDouble();
            }
            else if (property.NameEquals(Value.EncodedUtf8Bytes))
            {
                value = field.GetDouble();
            }
            else if (property.NameEquals(Outputs.EncodedUtf8Bytes))
            {
                outputs = names.Outputs.Read(field);
            }
            else if (property.NameEquals(Error.EncodedUtf8Bytes))
            {
                error = field.GetString();
            }
            else if (property.NameEquals(StatusCode.EncodedUtf8Bytes))
            {
                statusCode = field.GetInt32();
            }
            else if (property.NameEquals(Truncated.EncodedUtf8Bytes))
            {
                truncated = field.GetBoolean();
            }
            else if (property.NameEquals(Mirror.EncodedUtf8Bytes))
            {
                mirror = field.GetBoolean();
            }
        }

        return new InferenceLogRecord
        {
            RequestId = requestId,
            Row = row,
            Model = model,
            Version = version,
            TimestampUtc = new DateTimeOffset(ticks, TimeSpan.Zero),
            LatencyMs = latency,
            Status = status,
            Source = source,
            Error = error,
            StatusCode = statusCode,
            Label = label,
            Probability = probability,
            Value = value,
            Features = features ?? NoFeatures,
            Outputs = outputs,
            Truncated = truncated,
            Mirror = mirror,
        };
    }

    /// <summary>
    /// Strings that repeat from record to record within a block (feature names, versions, statuses, labels), kept once
    /// instead of allocated per record: reading a million records otherwise allocates tens of millions of equal strings.
    /// </summary>
    private sealed class NameCache
    {
        private readonly List<string> _small = [];

        public PropertyNames Features { get; } = new();

        public PropertyNames Outputs { get; } = new();

        /// <summary>A short string value, shared with earlier equal ones.</summary>
        public string Intern(JsonElement value)
        {
            foreach (var known in _small)
            {
                if (value.ValueEquals(known))
                {
                    return known;
                }
            }

            var text = value.GetString()!;
            if (_small.Count < 16 && text.Length <= 64)
            {
                _small.Add(text);
            }

            return text;
        }
    }

    /// <summary>Objects' property names, shared while consecutive objects repeat the previous one's names in order.</summary>
    private sealed class PropertyNames
    {
        private LoggedNames? _last;

        public LoggedValues Read(JsonElement json)
        {
            var count = json.GetPropertyCount();
            var values = new JsonElement[count];
            var same = _last is { } last && last.Names.Length == count;
            var k = 0;
            foreach (var property in json.EnumerateObject())
            {
                same = same && property.NameEquals(_last!.Names[k]);
                values[k++] = property.Value;
            }

            if (!same)
            {
                var names = new string[count];
                k = 0;
                foreach (var property in json.EnumerateObject())
                {
                    names[k++] = property.Name;
                }

                _last = new LoggedNames(names);
            }

            return new LoggedValues(_last!, values);
        }
    }
}
