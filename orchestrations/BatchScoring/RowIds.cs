using System.Text;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Reads a row's id from its id column: the CSV cell, or the JSON Lines field (a string as it is, any other value as
/// its JSON text). A row whose id cannot be read gets an empty id in the predictions and a <see cref="RowId"/> saying
/// why for the errors blob. Pure; thread-safe.
/// </summary>
internal static class RowIds
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The cell at <paramref name="index"/> of a record of <paramref name="fieldCount"/> cells.</summary>
    public static RowId FromCsvCell(ReadOnlySpan<byte> cell, int index, int fieldCount, string idColumn)
    {
        if (index >= fieldCount)
        {
            return RowId.Unreadable($"the row has {fieldCount} cell(s), none in id column {DataText.Quote(idColumn)}");
        }

        try
        {
            return RowId.Of(Strict.GetString(cell));
        }
        catch (DecoderFallbackException)
        {
            return RowId.Unreadable("the id cell is not valid UTF-8 text");
        }
    }

    /// <summary>The id field of one JSON Lines line.</summary>
    public static RowId FromJsonLine(ReadOnlySpan<byte> json, string idColumn)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return RowId.Unreadable("the line is not a JSON object, so it has no id field");
            }

            if (!document.RootElement.TryGetProperty(idColumn, out var id))
            {
                return RowId.Unreadable($"the line has no field {DataText.Quote(idColumn)}");
            }

            return id.ValueKind switch
            {
                JsonValueKind.String => RowId.Of(id.GetString()!),
                JsonValueKind.Null => RowId.Unreadable($"the field {DataText.Quote(idColumn)} is null"),
                _ => RowId.Of(id.GetRawText()),
            };
        }
        catch (JsonException e)
        {
            return RowId.Unreadable($"the line is not valid JSON ({JsonErrorText.DescribeLine(e, json)})");
        }
        catch (InvalidOperationException e)
        {
            return RowId.Unreadable($"the line {JsonErrorText.DescribeText(e)}");
        }
    }
}
