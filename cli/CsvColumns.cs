using System.Globalization;
using CsvHelper;
using Serverless.Core.Monitoring.Drift;

namespace Serverless.Cli;

/// <summary>
/// Loads the CSV files of a drift comparison (comma separated, a header row, RFC 4180 quoting, every row as wide
/// as the header) and turns their columns into <see cref="DriftColumn"/>s. A column is numeric when every non-empty
/// cell of both files parses as a number with the invariant culture, unless named categorical; empty (or
/// whitespace) cells are missing, and so are NaN / ±∞ in numeric columns. Stateless; thread-safe.
/// </summary>
public static class CsvColumns
{
    private static readonly CsvReaderOptions Options = new()
    {
        HasHeader = false,
        Separator = ',',
        DetectSeparatorHint = false,
        SkipEmptyLines = true,
        FieldCountMismatch = CsvFieldCountHandling.Throw,
        MalformedData = CsvMalformedDataHandling.Throw,
    };

    /// <summary>Reads <paramref name="path"/>; throws a data <see cref="CliException"/> when it is missing, empty, malformed or has no data rows.</summary>
    public static CsvTable Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = CsvReader.Create(stream, Options);
            if (!reader.Read())
            {
                throw CliException.ForData($"'{path}' is empty: expected a header row and data rows.");
            }

            var header = new string[reader.FieldCount];
            for (var i = 0; i < header.Length; i++)
            {
                header[i] = reader.GetString(i).Trim();
                if (header[i].Length == 0)
                {
                    throw CliException.ForData($"'{path}' has an empty column name (column {i + 1}).");
                }

                if (Array.IndexOf(header, header[i], 0, i) >= 0)
                {
                    throw CliException.ForData($"'{path}' has column '{header[i]}' more than once.");
                }
            }

            var cells = header.Select(_ => new List<string>()).ToArray();
            while (reader.Read())
            {
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i].Add(reader.GetString(i));
                }
            }

            if (cells[0].Count == 0)
            {
                throw CliException.ForData($"'{path}' has a header but no data rows.");
            }

            return new CsvTable(path, header, cells.Select(c => c.ToArray()).ToArray(), cells[0].Count);
        }
        catch (CsvFormatException e)
        {
            throw CliException.ForData($"'{path}' is not a valid CSV: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw CliException.ForData($"'{path}' does not exist.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw CliException.ForData($"'{path}' does not exist.", e);
        }
        catch (IOException e)
        {
            throw CliException.ForData($"Cannot read '{path}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw CliException.ForData($"Cannot read '{path}': {e.Message}", e);
        }
    }

    /// <summary>Throws a data <see cref="CliException"/> unless both files have the same column names (in any order).</summary>
    public static void EnsureSameColumns(CsvTable reference, CsvTable current)
    {
        var onlyReference = reference.Header.Except(current.Header, StringComparer.Ordinal).ToList();
        var onlyCurrent = current.Header.Except(reference.Header, StringComparer.Ordinal).ToList();
        if (onlyReference.Count == 0 && onlyCurrent.Count == 0)
        {
            return;
        }

        var parts = new List<string>();
        if (onlyReference.Count > 0)
        {
            parts.Add($"only in the reference: {Names(onlyReference)}");
        }

        if (onlyCurrent.Count > 0)
        {
            parts.Add($"only in the current: {Names(onlyCurrent)}");
        }

        throw CliException.ForData($"The files have different columns ({string.Join("; ", parts)}).");
    }

    /// <summary>The numeric columns: every non-empty cell of both tables parses as a number, and not named in <paramref name="categorical"/>.</summary>
    public static IReadOnlySet<string> InferNumeric(CsvTable reference, CsvTable current, IReadOnlySet<string> categorical) =>
        reference.Header
            .Where(name => !categorical.Contains(name) && AllNumbers(reference.Column(name)) && AllNumbers(current.Column(name)))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The table's columns as engine input, in header order of <paramref name="order"/>.</summary>
    public static IReadOnlyList<DriftColumn> ToColumns(CsvTable table, IReadOnlyList<string> order, IReadOnlySet<string> numeric) =>
        order.Select(name => numeric.Contains(name) ? Numeric(name, table.Column(name)) : Categorical(name, table.Column(name))).ToArray();

    private static DriftColumn Numeric(string name, string[] cells)
    {
        var values = new List<double>(cells.Length);
        long missing = 0;
        foreach (var cell in cells)
        {
            if (TryNumber(cell, out var value) && double.IsFinite(value))
            {
                values.Add(value);
            }
            else
            {
                missing++;
            }
        }

        return new NumericColumn(name, values.ToArray(), missing);
    }

    private static DriftColumn Categorical(string name, string[] cells)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long missing = 0;
        foreach (var cell in cells)
        {
            if (string.IsNullOrWhiteSpace(cell))
            {
                missing++;
            }
            else
            {
                counts[cell] = counts.GetValueOrDefault(cell) + 1;
            }
        }

        return new CategoricalColumn(name, counts, missing);
    }

    private static bool AllNumbers(string[] cells) => cells.All(cell => string.IsNullOrWhiteSpace(cell) || TryNumber(cell, out _));

    private static bool TryNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
