using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Functions.Monitoring;

/// <summary>
/// Reads <c>[{"id": "...", "actual": ..., "row": 0}, ...]</c>: the request id a prediction was answered with (its
/// <c>x-request-id</c>), the outcome (number, string or boolean) and optionally the row within a multi-row request.
/// Every mistake is a 400 naming the item. Sizes are capped so nothing unbounded is stored: at most <see cref="MaxItems"/>
/// items, an <c>id</c> of at most <see cref="RequestIds.MaxLength"/> characters (as every request id) and an <c>actual</c>
/// of at most <see cref="MaxActualLength"/>.
/// </summary>
internal static class FeedbackRequestReader
{
    public const int MaxItems = 10_000;

    /// <summary>The longest <c>actual</c>, in characters: any class label or number fits; a document does not belong here.</summary>
    public const int MaxActualLength = 256;

    public static IReadOnlyList<FeedbackRecord> Read(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw ServingException.BadRequest("Feedback must be a JSON array of {\"id\": ..., \"actual\": ...} objects.");
            }

            var count = document.RootElement.GetArrayLength();
            if (count is 0 or > MaxItems)
            {
                throw ServingException.BadRequest($"Feedback must hold 1 to {MaxItems} items (it holds {count}).");
            }

            var records = new List<FeedbackRecord>(count);
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                try
                {
                    records.Add(ReadItem(item, index, now));
                }
                catch (InvalidOperationException e)
                {
                    // JsonElement refuses to decode invalid UTF-8 or an unpaired surrogate escape.
                    throw ServingException.BadRequest($"Feedback item {index} holds text that is not valid UTF-8 or UTF-16.", e);
                }

                index++;
            }

            return records;
        }
    }

    private static FeedbackRecord ReadItem(JsonElement item, int index, DateTimeOffset now)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw ServingException.BadRequest($"Feedback item {index} must be an object with 'id' and 'actual'.");
        }

        string? id = null;
        string? actual = null;
        var row = 0;
        foreach (var property in item.EnumerateObject())
        {
            switch (property.Name)
            {
                case "id" when property.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(property.Value.GetString()):
                    id = property.Value.GetString();
                    break;
                case "actual" when property.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String:
                    actual = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                    break;
                case "actual" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    actual = property.Value.GetBoolean() ? "true" : "false";
                    break;
                case "row" when property.Value.TryGetInt32(out var r) && r >= 0:
                    row = r;
                    break;
                case "id" or "actual" or "row":
                    throw ServingException.BadRequest($"Feedback item {index}: '{property.Name}' has an invalid value ({Truncate(property.Value.GetRawText())}).");
                default:
                    throw ServingException.BadRequest($"Feedback item {index}: unknown field '{Truncate(property.Name)}' (expected id, actual, row).");
            }
        }

        if (id?.Length > RequestIds.MaxLength)
        {
            throw ServingException.BadRequest($"Feedback item {index}: 'id' is longer than {RequestIds.MaxLength} characters ({id.Length}).");
        }

        if (actual?.Length > MaxActualLength)
        {
            throw ServingException.BadRequest($"Feedback item {index}: 'actual' is longer than {MaxActualLength} characters ({actual.Length}).");
        }

        return new FeedbackRecord(
            id ?? throw ServingException.BadRequest($"Feedback item {index}: 'id' is required (the request id the prediction was answered with)."),
            row,
            actual ?? throw ServingException.BadRequest($"Feedback item {index}: 'actual' is required (the observed outcome)."),
            now);
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
