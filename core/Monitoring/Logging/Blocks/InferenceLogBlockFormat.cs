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
/// <c>lat</c> (ms), <c>st</c>, <c>src</c>, and where present <c>err</c>, <c>label</c>, <c>p</c>, <c>v</c>, <c>f</c>
/// (features object), <c>o</c> (outputs object) and <c>tr</c> (truncated). RowKey <c>{FirstUtc ticks:D19}|{writer}|{seq}</c>
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

    internal const string RequestId = "id";
    internal const string Row = "row";
    internal const string Version = "ver";
    internal const string Ticks = "t";
    internal const string Latency = "lat";
    internal const string Status = "st";
    internal const string Source = "src";
    internal const string Error = "err";
    internal const string Label = "label";
    internal const string Probability = "p";
    internal const string Value = "v";
    internal const string Features = "f";
    internal const string Outputs = "o";
    internal const string Truncated = "tr";

    private static readonly IReadOnlyDictionary<string, JsonElement> NoFeatures = new Dictionary<string, JsonElement>();

    /// <summary>The name of payload part <paramref name="index"/>: <c>Data</c>, <c>Data1</c>, <c>Data2</c>, …</summary>
    public static string PartName(int index) => index == 0 ? DataProperty : DataProperty + index.ToString(CultureInfo.InvariantCulture);

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
        foreach (var element in root.EnumerateArray())
        {
            records.Add(ToRecord(model, element));
        }

        return records;
    }

    private static InferenceLogRecord ToRecord(string model, JsonElement element)
    {
        string requestId = "", version = "", status = InferenceLogStatus.Ok, source = "";
        string? error = null, label = null;
        var row = 0;
        long ticks = 0;
        double latency = 0;
        double? probability = null, value = null;
        Dictionary<string, JsonElement>? features = null, outputs = null;
        var truncated = false;
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case RequestId: requestId = property.Value.GetString()!; break;
                case Row: row = property.Value.GetInt32(); break;
                case Version: version = property.Value.GetString()!; break;
                case Ticks: ticks = property.Value.GetInt64(); break;
                case Latency: latency = property.Value.GetDouble(); break;
                case Status: status = property.Value.GetString()!; break;
                case Source: source = property.Value.GetString()!; break;
                case Error: error = property.Value.GetString(); break;
                case Label: label = property.Value.GetString(); break;
                case Probability: probability = property.Value.GetDouble(); break;
                case Value: value = property.Value.GetDouble(); break;
                case Features: features = ToDictionary(property.Value); break;
                case Outputs: outputs = ToDictionary(property.Value); break;
                case Truncated: truncated = property.Value.GetBoolean(); break;
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
            Label = label,
            Probability = probability,
            Value = value,
            Features = features ?? NoFeatures,
            Outputs = outputs,
            Truncated = truncated,
        };
    }

    private static Dictionary<string, JsonElement> ToDictionary(JsonElement json)
    {
        var dictionary = new Dictionary<string, JsonElement>(json.GetPropertyCount(), StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            dictionary[property.Name] = property.Value;
        }

        return dictionary;
    }
}
