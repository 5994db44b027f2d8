using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;

namespace Serverless.Cli.Commands;

/// <summary>
/// Reads the rows <c>predict</c> sends: a CSV with a header (a cell that is a JSON number goes as a number, an empty cell as
/// null, anything else as a string) or JSON Lines (each line an object, sent as it is). Each row comes with its id: the
/// <c>idColumn</c> value when named (left out of the row sent, since the records API refuses a feature the model does not
/// have), else the 1-based row number. Not thread-safe.
/// </summary>
public static partial class PredictRows
{
    public sealed record Row(string Id, string Json);

    public static IEnumerable<Row> Read(string path, string? idColumn)
    {
        if (!File.Exists(path))
        {
            throw CliException.ForData($"No file '{path}'.");
        }

        return path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
            ? ReadJsonLines(path, idColumn)
            : ReadCsv(path, idColumn);
    }

    private static readonly CsvReaderOptions CsvOptions = new()
    {
        HasHeader = false,
        Separator = ',',
        DetectSeparatorHint = false,
        SkipEmptyLines = true,
        FieldCountMismatch = CsvFieldCountHandling.Throw,
        MalformedData = CsvMalformedDataHandling.Throw,
    };

    private static IEnumerable<Row> ReadCsv(string path, string? idColumn)
    {
        using var stream = File.OpenRead(path);
        using var csv = CsvReader.Create(stream, CsvOptions);
        if (!Next(csv, path))
        {
            throw CliException.ForData($"'{path}' is empty.");
        }

        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim()).ToArray();
        var idIndex = idColumn is null ? -1 : Array.IndexOf(header, idColumn);
        if (idColumn is not null && idIndex < 0)
        {
            throw CliException.ForUsage($"--id-column '{idColumn}' is not a column of '{path}' (columns: {string.Join(", ", header)}).");
        }

        var number = 0L;
        while (Next(csv, path))
        {
            number++;
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                for (var i = 0; i < header.Length; i++)
                {
                    if (i == idIndex)
                    {
                        continue;
                    }

                    var cell = csv.GetString(i);
                    writer.WritePropertyName(header[i]);
                    if (cell.Length == 0)
                    {
                        writer.WriteNullValue();
                    }
                    else if (JsonNumber().IsMatch(cell))
                    {
                        writer.WriteRawValue(cell, skipInputValidation: true);
                    }
                    else
                    {
                        writer.WriteStringValue(cell);
                    }
                }

                writer.WriteEndObject();
            }

            var id = idIndex >= 0 ? csv.GetString(idIndex) : number.ToString(CultureInfo.InvariantCulture);
            yield return new Row(id, Encoding.UTF8.GetString(buffer.ToArray()));
        }

        if (number == 0)
        {
            throw CliException.ForData($"'{path}' has a header but no rows.");
        }
    }

    private static IEnumerable<Row> ReadJsonLines(string path, string? idColumn)
    {
        var number = 0L;
        var line = 0L;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            number++;
            string id;
            string json;
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw CliException.ForData($"'{path}' line {line} is not a JSON object.");
                }

                if (idColumn is null)
                {
                    id = number.ToString(CultureInfo.InvariantCulture);
                    json = text.Trim();
                }
                else
                {
                    id = document.RootElement.TryGetProperty(idColumn, out var value) ? Output.JsonFields.Format(value)
                        : throw CliException.ForData($"'{path}' line {line} has no '{idColumn}' (--id-column).");
                    json = Without(document.RootElement, idColumn);
                }
            }
            catch (JsonException e)
            {
                throw CliException.ForData($"'{path}' line {line} is not valid JSON: {e.Message}", e);
            }

            yield return new Row(id, json);
        }

        if (number == 0)
        {
            throw CliException.ForData($"'{path}' has no rows.");
        }
    }

    private static string Without(JsonElement row, string name)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in row.EnumerateObject().Where(p => p.Name != name))
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool Next(CsvReader csv, string path)
    {
        try
        {
            return csv.Read();
        }
        catch (CsvFormatException e)
        {
            throw CliException.ForData($"'{path}' is not a valid CSV: {e.Message}", e);
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
