using System.IO.Compression;
using System.Text.Json;
using Azure.Data.Tables;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>Records made into block entities of either format, and records to make them from.</summary>
internal static class ColumnarBlocks
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A block entity of the columnar format, written by the writer's block builder.</summary>
    public static TableEntity Columnar(IEnumerable<InferenceLogRecord> records, string model = "m")
    {
        var builder = new InferenceLogBlockBuilder();
        builder.Open("inferencelog202611", "pk", model);
        foreach (var record in records)
        {
            builder.Append(Json(record), record.TimestampUtc.UtcTicks, InferenceLogKeys.Hash(record.RequestId), record.Row);
        }

        return builder.Close("writer", 1).Entity;
    }

    /// <summary>A block entity of the earlier JSON format, as builds before the columnar one wrote it.</summary>
    public static TableEntity JsonBlock(IEnumerable<InferenceLogRecord> records, string model = "m")
    {
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (var record in records)
            {
                InferenceLogRecordWriter.Write(writer, record);
            }

            writer.WriteEndArray();
        }

        return JsonBlock(json.ToArray(), model);
    }

    /// <summary>An entity of the JSON format whose payload is <paramref name="json"/>, compressed.</summary>
    public static TableEntity JsonBlock(byte[] json, string model = "m")
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return new TableEntity("pk", "old")
        {
            [InferenceLogBlockFormat.ModelProperty] = model,
            [InferenceLogBlockFormat.RecordsProperty] = 1,
            [InferenceLogBlockFormat.FormatProperty] = InferenceLogBlockFormat.JsonFormatName,
            [InferenceLogBlockFormat.DataProperty] = compressed.ToArray(),
        };
    }

    /// <summary>The uncompressed payload of an entity.</summary>
    public static byte[] Payload(TableEntity entity)
    {
        using var raw = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(entity.GetBinary(InferenceLogBlockFormat.DataProperty)!), CompressionMode.Decompress))
        {
            gzip.CopyTo(raw);
        }

        return raw.ToArray();
    }

    /// <summary>The entity with <paramref name="payload"/> as its (compressed) payload instead.</summary>
    public static TableEntity WithPayload(TableEntity entity, ReadOnlySpan<byte> payload)
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(payload);
        }

        var copy = new TableEntity(entity);
        copy[InferenceLogBlockFormat.DataProperty] = compressed.ToArray();
        return copy;
    }

    public static byte[] Json(InferenceLogRecord record)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            InferenceLogRecordWriter.Write(writer, record);
        }

        return buffer.ToArray();
    }

    public static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static InferenceLogRecord Record(string id, int row, IReadOnlyDictionary<string, JsonElement> features, string version = "1",
        IReadOnlyDictionary<string, JsonElement>? outputs = null, string? label = null, double? probability = null, double? value = null,
        bool mirror = false, string source = InferenceLogSource.Predict, DateTimeOffset? at = null)
    {
        return new InferenceLogRecord
        {
            RequestId = id,
            Row = row,
            Model = "m",
            Version = version,
            TimestampUtc = at ?? Now.AddMinutes(-5).AddMilliseconds(row),
            LatencyMs = 2.25,
            Status = InferenceLogStatus.Ok,
            Source = source,
            Label = label,
            Probability = probability,
            Value = value,
            Features = features,
            Outputs = outputs,
            Mirror = mirror,
        };
    }

    public static InferenceLogRecord Failure(string id, int statusCode, string error = "boom") => new()
    {
        RequestId = id,
        Row = -1,
        Model = "m",
        Version = "",
        TimestampUtc = Now.AddMinutes(-4),
        LatencyMs = 0.5,
        Status = InferenceLogStatus.Error,
        Source = InferenceLogSource.Infer,
        Error = error,
        StatusCode = statusCode,
        Features = new Dictionary<string, JsonElement>(),
    };

    /// <summary>Everything a record says, as text: two records read the same exactly when these are equal.</summary>
    public static string Describe(InferenceLogRecord r) =>
        $"{r.RequestId}|{r.Row}|{r.Model}|{r.Version}|{r.TimestampUtc.UtcTicks}|{r.LatencyMs:R}|{r.Status}|{r.Source}|{r.Error}|{r.StatusCode}|{r.Label}|" +
        $"{r.Probability:R}|{r.Value:R}|{Describe(r.Features)}|{(r.Outputs is null ? "(none)" : Describe(r.Outputs))}|{r.Truncated}|{r.Mirror}";

    private static string Describe(IReadOnlyDictionary<string, JsonElement> values) =>
        "{" + string.Join(",", values.Select(v => $"{v.Key}={v.Value.ValueKind}:{Text(v.Value)}")) + "}";

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "",
        JsonValueKind.Number => value.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value),
    };
}
