using System.Globalization;
using System.Text.Json;

namespace Serverless.Core.Mirroring;

/// <summary>
/// A <see cref="MirrorCopy"/> as a Storage queue message: UTF-8 JSON
/// <c>{"model", "version", "source", "request_id", "enqueued_utc", "body"}</c>, the request body embedded as the JSON it is
/// (or, should it not be plain JSON, as <c>body_base64</c>). Queue messages are at most 64 KiB and the Functions host's queue
/// trigger reads them base64-encoded (its default), so the JSON may be at most <see cref="MaxBytes"/> (48 KiB); a copy over it is
/// refused, never truncated. Pure; thread-safe.
/// </summary>
public static class MirrorMessage
{
    /// <summary>The largest message JSON, in bytes: 64 KiB once base64-encoded.</summary>
    public const int MaxBytes = 48 * 1024;

    /// <summary>The message, or null when it would be over <see cref="MaxBytes"/>.</summary>
    public static byte[]? Encode(MirrorCopy copy)
    {
        if (copy.Body.Length > MaxBytes)
        {
            return null;
        }

        using var stream = new MemoryStream(copy.Body.Length + 256);
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", copy.Model);
            writer.WriteString("version", copy.Version);
            writer.WriteString("source", copy.Source);
            writer.WriteString("request_id", copy.RequestId);
            writer.WriteString("enqueued_utc", copy.EnqueuedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            if (IsJson(copy.Body))
            {
                writer.WritePropertyName("body");
                writer.WriteRawValue(copy.Body, skipInputValidation: true);
            }
            else
            {
                writer.WriteBase64String("body_base64", copy.Body);
            }

            writer.WriteEndObject();
        }

        return stream.Length <= MaxBytes ? stream.ToArray() : null;
    }

    /// <summary>Reads a message <see cref="Encode"/> wrote; FormatException saying what is wrong otherwise.</summary>
    public static MirrorCopy Decode(ReadOnlyMemory<byte> message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A mirror message must be a JSON object.");
            }

            var body = root.TryGetProperty("body", out var raw)
                ? System.Text.Encoding.UTF8.GetBytes(raw.GetRawText())
                : root.TryGetProperty("body_base64", out var encoded) ? encoded.GetBytesFromBase64() : throw new FormatException("A mirror message needs a 'body'.");
            return new MirrorCopy(Text(root, "model"), Text(root, "version"), Text(root, "source"), Text(root, "request_id"),
                DateTimeOffset.Parse(Text(root, "enqueued_utc"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal), body);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"Not a mirror message: {e.Message}", e);
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"A mirror message needs '{name}' as a non-empty string.");

    private static bool IsJson(byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
