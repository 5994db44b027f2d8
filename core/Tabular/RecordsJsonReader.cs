using System.Text;
using System.Text.Json;
using Serverless.Core.Errors;

namespace Serverless.Core.Tabular;

/// <summary>
/// Reads records JSON straight into a <see cref="FeatureBatch"/> with <see cref="Utf8JsonReader"/>: feature names
/// and categories are matched as character spans, numbers read from their tokens, so no per-row document or
/// dictionary is built. Stateless; thread-safe.
/// <para>
/// Memory is bounded by the body: a request may hold at most one value (a row's features, omitted ones included) per two
/// bytes of its body, plus <see cref="MinValueBudget"/> (<see cref="MaxRows"/>). Every value sent takes at least two bytes
/// (a digit and a separator), so this refuses no request that sends its values, only rows of omitted features that would
/// make a small body fill a large batch; past it the request is a BadRequest before another row is stored.
/// </para>
/// </summary>
internal static class RecordsJsonReader
{
    /// <summary>Values (rows × features) any request may hold whatever its size, so small requests of sparse rows are fine.</summary>
    public const int MinValueBudget = 64 * 1024;

    private const int StackNameLength = 128;

    public static void ReadRequest(ReadOnlySpan<byte> body, FeatureBatch batch, int maxReportedErrors)
    {
        try
        {
            ReadRequestCore(body, batch, maxReportedErrors);
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body);
        }
        catch (InvalidOperationException e)
        {
            throw JsonErrorText.BadRequest(e);
        }

        ThrowIfRejected(batch, maxReportedErrors, stoppedEarly: false);
        if (batch.RowCount == 0)
        {
            throw ServingException.BadRequest("The request has no rows: send at least one record.");
        }
    }

    /// <summary>The most rows a records body of <paramref name="bodyLength"/> bytes may hold for a model of <paramref name="features"/> features.</summary>
    public static int MaxRows(int bodyLength, int features) => (int)Math.Max(1, (bodyLength / 2L + MinValueBudget) / Math.Max(1, features));

    public static bool ReadRow(ReadOnlySpan<byte> json, FeatureBatch batch, long? rowIndex)
    {
        batch.BeginRow(rowIndex);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                batch.Reject(-1, "must be a JSON object of feature values");
            }
            else
            {
                ReadObjectCells(ref reader, batch);
                reader.Read(); // anything but whitespace after the object is malformed
            }
        }
        catch (JsonException e)
        {
            batch.Reject(-1, $"not valid JSON: {JsonErrorText.DescribeLine(e, json)}");
        }
        catch (InvalidOperationException e)
        {
            batch.Reject(-1, $"the line {JsonErrorText.DescribeText(e)}");
        }

        return batch.EndRow();
    }

    private static void ReadRequestCore(ReadOnlySpan<byte> body, FeatureBatch batch, int maxReportedErrors)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.BadRequest("The request body must be a JSON object with 'instances' or 'dataframe_split'.");
        }

        var sawRecords = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isInstances = reader.ValueTextEquals("instances"u8) || reader.ValueTextEquals("dataframe_records"u8);
            var isSplit = !isInstances && reader.ValueTextEquals("dataframe_split"u8);
            if (!isInstances && !isSplit)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            if (sawRecords)
            {
                throw ServingException.BadRequest("Send the rows once: either 'instances' or 'dataframe_split', not both.");
            }

            sawRecords = true;
            var maxRows = MaxRows(body.Length, batch.Schema.Count);
            if (isInstances)
            {
                ReadInstances(ref reader, batch, maxReportedErrors, maxRows);
            }
            else
            {
                ReadDataframeSplit(body, ref reader, batch, maxReportedErrors, maxRows);
            }
        }

        reader.Read();
        if (!sawRecords)
        {
            throw ServingException.BadRequest(
                "The request has no rows: send {\"instances\": [{\"feature\": value, ...}, ...]} or {\"dataframe_split\": {\"columns\": [...], \"data\": [[...], ...]}}.");
        }
    }

    private static void ReadInstances(ref Utf8JsonReader reader, FeatureBatch batch, int maxReportedErrors, int maxRows)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.BadRequest("'instances' must be an array of objects, one per row.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            CheckRowBudget(batch, maxRows);
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadObjectRow(ref reader, batch, null);
            }
            else
            {
                batch.BeginRow(null);
                batch.Reject(-1, $"must be an object of feature values, not {Describe(ref reader)}");
                reader.Skip();
                batch.EndRow();
            }

            ThrowIfRejected(batch, maxReportedErrors, stoppedEarly: true);
        }
    }

    private static void ReadDataframeSplit(ReadOnlySpan<byte> body, ref Utf8JsonReader reader, FeatureBatch batch, int maxReportedErrors, int maxRows)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.BadRequest("'dataframe_split' must be an object with 'columns' and 'data'.");
        }

        List<string>? columns = null;
        int dataStart = -1, dataLength = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("columns"u8))
            {
                columns = ReadColumnNames(ref reader);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                dataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                dataLength = (int)reader.BytesConsumed - dataStart;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (columns is null)
        {
            throw ServingException.BadRequest("'dataframe_split' has no 'columns': list the feature name of each cell.");
        }

        if (dataStart < 0)
        {
            throw ServingException.BadRequest("'dataframe_split' has no 'data': send the rows as arrays of cells.");
        }

        var binding = batch.Schema.BindColumns(columns, batch.UnknownFeatures, "'dataframe_split.columns'");
        var data = new Utf8JsonReader(body.Slice(dataStart, dataLength), new JsonReaderOptions { MaxDepth = 64 });
        data.Read();
        if (data.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.BadRequest("'dataframe_split.data' must be an array of rows, each an array of cells.");
        }

        while (data.Read() && data.TokenType != JsonTokenType.EndArray)
        {
            CheckRowBudget(batch, maxRows);
            batch.BeginRow(null);
            if (data.TokenType != JsonTokenType.StartArray)
            {
                batch.Reject(-1, $"must be an array of cells, not {Describe(ref data)}");
                data.Skip();
            }
            else
            {
                var cells = 0;
                while (data.Read() && data.TokenType != JsonTokenType.EndArray)
                {
                    var feature = cells < binding.ColumnCount ? binding.FeatureOf(cells) : -1;
                    if (feature >= 0)
                    {
                        ReadCell(ref data, batch, feature);
                    }
                    else
                    {
                        data.Skip();
                    }

                    cells++;
                }

                if (cells != binding.ColumnCount)
                {
                    batch.Reject(-1, $"has {cells} cell(s), but 'dataframe_split.columns' has {binding.ColumnCount}");
                }
            }

            batch.EndRow();
            ThrowIfRejected(batch, maxReportedErrors, stoppedEarly: true);
        }
    }

    private static List<string> ReadColumnNames(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.BadRequest("'dataframe_split.columns' must be an array of feature names.");
        }

        var names = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw ServingException.BadRequest($"'dataframe_split.columns' must hold strings; element {names.Count} is {Describe(ref reader)}.");
            }

            names.Add(reader.GetString()!);
        }

        return names;
    }

    /// <summary>Reads an object of feature values as one row; the reader is on its StartObject and ends on its EndObject.</summary>
    private static bool ReadObjectRow(ref Utf8JsonReader reader, FeatureBatch batch, long? rowIndex)
    {
        batch.BeginRow(rowIndex);
        ReadObjectCells(ref reader, batch);
        return batch.EndRow();
    }

    private static void ReadObjectCells(ref Utf8JsonReader reader, FeatureBatch batch)
    {
        Span<char> nameBuffer = stackalloc char[StackNameLength];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var feature = FindFeature(ref reader, batch.Schema, nameBuffer, out var unknownName);
            reader.Read();
            if (feature < 0)
            {
                batch.RejectUnknown(unknownName!);
                reader.Skip();
                continue;
            }

            ReadCell(ref reader, batch, feature);
        }
    }

    private static int FindFeature(ref Utf8JsonReader reader, FeatureSchema schema, scoped Span<char> buffer, out string? unknownName)
    {
        unknownName = null;
        if (reader.HasValueSequence || reader.ValueSpan.Length > buffer.Length)
        {
            var name = reader.GetString()!;
            var index = schema.IndexOf(name);
            unknownName = index < 0 ? name : null;
            return index;
        }

        var length = reader.CopyString(buffer);
        var found = schema.IndexOf(buffer[..length]);
        if (found < 0)
        {
            unknownName = new string(buffer[..length]);
        }

        return found;
    }

    /// <summary>Reads one cell token (the reader is on it) into the batch; containers are skipped and refused.</summary>
    private static void ReadCell(ref Utf8JsonReader reader, FeatureBatch batch, int feature)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                batch.SetMissing(feature);
                break;
            case JsonTokenType.Number:
                var parsed = reader.TryGetDouble(out var value);
                batch.SetJsonNumber(feature, reader.ValueSpan, parsed, value);
                break;
            case JsonTokenType.String:
                ReadStringCell(ref reader, batch, feature);
                break;
            case JsonTokenType.True:
                batch.SetJsonText(feature, "true", isString: false);
                break;
            case JsonTokenType.False:
                batch.SetJsonText(feature, "false", isString: false);
                break;
            default:
                var found = reader.TokenType == JsonTokenType.StartObject ? "an object" : "an array";
                reader.Skip();
                batch.SetWrongType(feature, found);
                break;
        }
    }

    private static void ReadStringCell(ref Utf8JsonReader reader, FeatureBatch batch, int feature)
    {
        if (!reader.HasValueSequence && reader.ValueSpan.Length <= StackNameLength)
        {
            Span<char> buffer = stackalloc char[StackNameLength];
            var length = reader.CopyString(buffer);
            batch.SetJsonText(feature, buffer[..length], isString: true);
            return;
        }

        batch.SetJsonText(feature, reader.GetString(), isString: true);
    }

    private static void CheckRowBudget(FeatureBatch batch, int maxRows)
    {
        if (batch.RowCount >= maxRows)
        {
            throw ServingException.BadRequest(
                $"The request holds more than {maxRows} rows of {batch.Schema.Count} feature(s): more values than its size carries " +
                $"(at most one value per two bytes of the body, omitted features included, beyond the first {MinValueBudget}). Send fewer rows per request.");
        }
    }

    private static void ThrowIfRejected(FeatureBatch batch, int maxReportedErrors, bool stoppedEarly)
    {
        var errors = batch.Errors;
        if (errors.Count == 0 || (stoppedEarly && errors.Count < maxReportedErrors))
        {
            return;
        }

        var shown = errors.Take(maxReportedErrors).Select(e => e.ToString());
        var more = stoppedEarly ? $"; stopped reading after {maxReportedErrors} errors" : errors.Count > maxReportedErrors ? $"; and {errors.Count - maxReportedErrors} more" : "";
        throw ServingException.BadRequest($"Invalid rows, nothing was scored: {string.Join("; ", shown)}{more}.");
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "the string \"" + Head(reader.ValueSpan) + "\"",
        JsonTokenType.Number => "the number " + Head(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };

    /// <summary>The start of a token's raw text for an error message (escapes as sent; invalid UTF-8 replaced).</summary>
    private static string Head(ReadOnlySpan<byte> utf8) => FeatureBatch.Truncate(Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 160)]));
}
