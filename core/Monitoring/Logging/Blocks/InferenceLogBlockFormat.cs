using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Azure.Data.Tables;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// How the inference log stores records: many records of one partition (one model, hour and shard) per entity, a
/// <em>block</em>. Entity properties: <c>Model</c>, <c>Records</c> (count), <c>FirstUtc</c> / <c>LastUtc</c> (the
/// earliest and latest request time inside), <c>Format</c> and the payload in binary properties <c>Data</c>,
/// <c>Data1</c>, … (at most <see cref="PartBytes"/> each), GZip-compressed. A record's fields, by their JSON names:
/// <c>id</c> (request id), <c>row</c>, <c>ver</c>, <c>t</c> (request time, UTC ticks), <c>lat</c> (ms), <c>st</c>,
/// <c>src</c>, and where present <c>err</c>, <c>sc</c> (a failure's HTTP status), <c>label</c>, <c>p</c>, <c>v</c>,
/// <c>f</c> (features object), <c>o</c> (outputs object), <c>tr</c> (truncated) and <c>mi</c> (a mirror copy).
/// <para>
/// Format <see cref="FormatName"/> (written now): the payload starts with the bytes <c>ILC\x01</c> and holds the block
/// column by column (<see cref="Columns.ColumnsBuilder"/>): per field the rows' values contiguous, strings
/// dictionary-encoded per block, numbers as their decimal digits (a scale byte and a varint; the exact double the
/// logged text reads as) or 8 raw bytes, and features and outputs as one column per name with a kind byte per row and
/// each row's list of names shared by the rows that have the same; a reader decodes a block into arrays
/// (<see cref="InferenceLogColumns"/>), not record objects. Format <see cref="JsonFormatName"/> (written before): the
/// payload a UTF-8 JSON array of record objects; still read, as records or turned into columns.
/// </para>
/// Blocks written since feedback matching
/// also carry <c>Ids</c> (and <c>Ids1</c>, … past <see cref="PartBytes"/>): a <see cref="RequestIdIndex"/> of the
/// request ids and rows of the predictions inside, about 6 bytes per request, which feedback matching reads with a
/// <c>$select</c> of that property alone instead of the payload; blocks without it are decoded instead. RowKey <c>{FirstUtc ticks:D19}|{writer}|{seq}</c>
/// sorts blocks by their first record; a block spans at most <see cref="MaxSpan"/>, so a reader looking for records
/// at or after a time starts <see cref="MaxSpan"/> earlier. One entity per thousands of rows instead of one per row
/// is what makes logging cheap: Table storage's cost is per entity and per byte.
/// Stateless and thread-safe.
/// </summary>
public static class InferenceLogBlockFormat
{
    /// <summary>The format blocks are written in: columns, GZip-compressed.</summary>
    public const string FormatName = "columns-gzip-1";

    /// <summary>The earlier format, still read: a JSON array of record objects, GZip-compressed.</summary>
    public const string JsonFormatName = "json-gzip-1";

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

    /// <summary>The records a block entity holds (either format), in the order they were written.</summary>
    /// <exception cref="InvalidDataException">The entity is not a block of a known format, or its payload is truncated or corrupt.</exception>
    public static List<InferenceLogRecord> ReadRecords(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return Decode(entity, static (payload, model, columnar) => columnar
            ? InferenceLogColumns.Read(payload, model).ToRecords()
            : JsonBlocks.ReadRecords(payload, model));
    }

    /// <summary>
    /// The block entity's records as columns (either format; a block of the earlier JSON format is turned into columns
    /// by the writer's path): one block, or more for a JSON block that holds more than a columnar block takes.
    /// </summary>
    /// <exception cref="InvalidDataException">The entity is not a block of a known format, or its payload is truncated or corrupt.</exception>
    public static IReadOnlyList<InferenceLogColumns> ReadColumns(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return Decode<IReadOnlyList<InferenceLogColumns>>(entity, static (payload, model, columnar) => columnar
            ? [InferenceLogColumns.Read(payload, model)]
            : JsonBlocks.ReadColumns(payload, model));
    }

    private delegate T PayloadDecoder<out T>(ReadOnlySpan<byte> payload, string model, bool columnar);

    /// <summary>Checks the format, joins and decompresses the payload parts and decodes them; any failure is an <see cref="InvalidDataException"/> naming the entity.</summary>
    private static T Decode<T>(TableEntity entity, PayloadDecoder<T> decode)
    {
        var format = entity.GetString(FormatProperty);
        if (format is not (FormatName or JsonFormatName))
        {
            throw new InvalidDataException($"Inference log entity {entity.PartitionKey}/{entity.RowKey} has format '{format}', not '{FormatName}' or '{JsonFormatName}'.");
        }

        try
        {
            using var payload = new MemoryStream();
            for (var i = 0; i < MaxParts && entity.GetBinary(PartName(i)) is { } part; i++)
            {
                payload.Write(part);
            }

            payload.Position = 0;
            using var raw = new MemoryStream(capacity: (int)Math.Min(payload.Length * 4, 8 << 20));
            using (var gzip = new GZipStream(payload, CompressionMode.Decompress))
            {
                gzip.CopyTo(raw);
            }

            return decode(raw.GetBuffer().AsSpan(0, (int)raw.Length), entity.GetString(ModelProperty) ?? "", format == FormatName);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or InvalidOperationException or FormatException or OverflowException
                                      or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"Inference log block {entity.PartitionKey}/{entity.RowKey} ({format}) cannot be read: {e.Message}", e);
        }
    }
}
