using System.Globalization;
using System.Text.Json;

namespace Serverless.Cli.Output;

/// <summary>Reads fields of the API's JSON answers as text for tables: absent or null is empty, numbers invariant, arrays joined. Pure.</summary>
public static class JsonFields
{
    public static string Text(this JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) ? Format(value) : "";

    public static JsonElement? Member(this JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static double? Number(this JsonElement json, string name) =>
        json.Member(name) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;

    public static IEnumerable<JsonElement> Items(this JsonElement json, string name) =>
        json.Member(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    public static string Format(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture)
            : value.GetDouble().ToString("G6", CultureInfo.InvariantCulture),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Format)),
        _ => value.GetRawText(),
    };

    /// <summary>A UTC timestamp as <c>yyyy-MM-dd HH:mm:ss</c>, or the text as it is.</summary>
    public static string Time(this JsonElement json, string name) =>
        DateTimeOffset.TryParse(json.Text(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : json.Text(name);
}
