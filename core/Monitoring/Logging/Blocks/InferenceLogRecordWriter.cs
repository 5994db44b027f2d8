using System.Text.Json;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// Writes a record already read back as the JSON object a block holds (the fields of <see cref="InferenceLogBlockFormat"/>),
/// so records held in memory can be turned into columns by the same path as logged ones. Pure; thread-safe.
/// </summary>
internal static class InferenceLogRecordWriter
{
    public static void Write(Utf8JsonWriter json, InferenceLogRecord record)
    {
        json.WriteStartObject();
        json.WriteString(InferenceLogBlockFormat.RequestId, record.RequestId);
        json.WriteNumber(InferenceLogBlockFormat.Row, record.Row);
        json.WriteString(InferenceLogBlockFormat.Version, record.Version);
        json.WriteNumber(InferenceLogBlockFormat.Ticks, record.TimestampUtc.UtcTicks);
        json.WriteNumber(InferenceLogBlockFormat.Latency, record.LatencyMs);
        json.WriteString(InferenceLogBlockFormat.Status, record.Status);
        json.WriteString(InferenceLogBlockFormat.Source, record.Source);
        if (record.Error is { } error)
        {
            json.WriteString(InferenceLogBlockFormat.Error, error);
        }

        if (record.StatusCode is { } code)
        {
            json.WriteNumber(InferenceLogBlockFormat.StatusCode, code);
        }

        if (record.Label is { } label)
        {
            json.WriteString(InferenceLogBlockFormat.Label, label);
        }

        WriteIfFinite(json, InferenceLogBlockFormat.Probability, record.Probability);
        WriteIfFinite(json, InferenceLogBlockFormat.Value, record.Value);
        if (record.Features.Count > 0)
        {
            WriteObject(json, InferenceLogBlockFormat.Features, record.Features);
        }

        if (record.Outputs is { } outputs)
        {
            WriteObject(json, InferenceLogBlockFormat.Outputs, outputs);
        }

        if (record.Truncated)
        {
            json.WriteBoolean(InferenceLogBlockFormat.Truncated, true);
        }

        if (record.Mirror)
        {
            json.WriteBoolean(InferenceLogBlockFormat.Mirror, true);
        }

        json.WriteEndObject();
    }

    private static void WriteObject(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyDictionary<string, JsonElement> values)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            json.WritePropertyName(key);
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                json.WriteNullValue();
            }
            else
            {
                value.WriteTo(json);
            }
        }

        json.WriteEndObject();
    }

    private static void WriteIfFinite(Utf8JsonWriter json, JsonEncodedText name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            json.WriteNumber(name, number);
        }
    }
}
