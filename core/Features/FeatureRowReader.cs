using System.Text.Json;
using CsvHelper;
using Serverless.Core.Errors;

namespace Serverless.Core.Features;

/// <summary>
/// Reads a write's rows for a feature set version: JSON <c>{"rows": [{"key": ..., "event_time": ..., "feature": value}, ...]}</c> or
/// CSV with a header row. Each row names every key column (a string, or a number taken as its text), its <c>event_time</c>
/// (ISO 8601; without an offset it is UTC; not more than <see cref="MaxClockSkew"/> ahead of now) and at least one feature;
/// a feature left out, null or an empty cell is not written (the stored value stays). All or nothing: any bad row refuses the
/// whole write with a BadRequest naming row and column (up to <see cref="MaxReportedErrors"/>). Stateless; thread-safe.
/// </summary>
public static class FeatureRowReader
{
    public const int MaxReportedErrors = 10;

    /// <summary>The longest category text a feature value may have.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>How far ahead of the server's clock an event time may be.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    internal const int MaxKeptErrors = 100;

    /// <summary>The rows of a JSON body; PayloadTooLarge past <paramref name="maxRows"/>.</summary>
    public static IReadOnlyList<FeatureRecord> ReadJson(FeatureSetDefinition set, ReadOnlySpan<byte> body, int maxRows, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body, "The rows");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("rows", out var rows)
                || rows.ValueKind != JsonValueKind.Array)
            {
                throw ServingException.BadRequest("The body must be {\"rows\": [{...}, ...]}: one object per row with the key column(s), 'event_time' and features.");
            }

            CheckCount(rows.GetArrayLength(), maxRows);
            var reader = new FeatureRowBuilder(set, now);
            var index = 0;
            foreach (var row in rows.EnumerateArray())
            {
                reader.Begin(index++);
                if (row.ValueKind != JsonValueKind.Object)
                {
                    reader.Fail(null, "must be an object of column values");
                }
                else
                {
                    foreach (var cell in row.EnumerateObject())
                    {
                        reader.Set(cell.Name, cell.Value);
                    }
                }

                reader.End();
            }

            return reader.Finish();
        }
    }

    /// <summary>The rows of a CSV body (header row first, comma separated); PayloadTooLarge past <paramref name="maxRows"/>.</summary>
    public static IReadOnlyList<FeatureRecord> ReadCsv(FeatureSetDefinition set, ReadOnlyMemory<byte> body, int maxRows, DateTimeOffset now)
    {
        var options = new CsvReaderOptions { HasHeader = false, Separator = ',', DetectSeparatorHint = false, IncludeValuesInExceptions = false };
        using var csv = CsvReader.Create(new MemoryStream(body.ToArray(), writable: false), options);
        if (!csv.Read())
        {
            throw ServingException.BadRequest("The CSV is empty: send a header row naming the key column(s), 'event_time' and features, then rows.");
        }

        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim().TrimStart('\uFEFF')).ToArray();
        var reader = new FeatureRowBuilder(set, now);
        var index = 0;
        while (csv.Read())
        {
            if (csv.FieldCount == 1 && string.IsNullOrWhiteSpace(csv.GetString(0)))
            {
                continue;
            }

            CheckCount(index + 1, maxRows);
            reader.Begin(index++);
            if (csv.FieldCount != header.Length)
            {
                reader.Fail(null, $"has {csv.FieldCount} cell(s), but the header has {header.Length}");
            }
            else
            {
                for (var c = 0; c < header.Length; c++)
                {
                    reader.SetText(header[c], csv.GetString(c));
                }
            }

            reader.End();
        }

        return reader.Finish();
    }

    /// <summary>
    /// The rows of history JSON Lines (<see cref="BlobFeatureHistory"/>): one row object a line, read as <see cref="ReadJson"/> reads rows,
    /// with <c>ingested_at</c> skipped and no limit on the rows or on how far ahead event times are (both were checked when written).
    /// No rows for blank text; BadRequest naming the line for one that is not a row of <paramref name="set"/>.
    /// </summary>
    public static IReadOnlyList<FeatureRecord> ReadHistoryLines(FeatureSetDefinition set, ReadOnlySpan<byte> lines) =>
        ReadLines(new FeatureRowBuilder(set, DateTimeOffset.MaxValue - MaxClockSkew, history: true), lines, int.MaxValue);

    /// <summary>
    /// The rows of JSON Lines (a file being materialised): one row object a line, checked as <see cref="ReadJson"/> checks rows (an
    /// <c>ingested_at</c> column is refused: the app stamps it). All or nothing, BadRequest naming the row (0-based among the text's
    /// non-blank lines) and column; PayloadTooLarge past <paramref name="maxRows"/>; no rows for blank text.
    /// </summary>
    public static IReadOnlyList<FeatureRecord> ReadJsonLines(FeatureSetDefinition set, ReadOnlySpan<byte> lines, int maxRows, DateTimeOffset now) =>
        ReadLines(new FeatureRowBuilder(set, now), lines, maxRows);

    private static IReadOnlyList<FeatureRecord> ReadLines(FeatureRowBuilder reader, ReadOnlySpan<byte> lines, int maxRows)
    {
        var index = 0;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? [] : lines[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            CheckCount(index + 1, maxRows);
            reader.Begin(index++);
            try
            {
                using var document = JsonDocument.Parse(line.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    reader.Fail(null, "must be an object of column values");
                }
                else
                {
                    foreach (var cell in document.RootElement.EnumerateObject())
                    {
                        reader.Set(cell.Name, cell.Value);
                    }
                }
            }
            catch (JsonException)
            {
                reader.Fail(null, "is not a JSON object");
            }

            reader.End();
        }

        return index == 0 ? [] : reader.Finish();
    }

    private static void CheckCount(int rows, int maxRows)
    {
        if (rows > maxRows)
        {
            throw ServingException.PayloadTooLarge($"A write may carry at most {maxRows} rows (FeatureStore:MaxRowsPerWrite); send smaller batches.");
        }
    }
}
