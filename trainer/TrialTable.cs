using CsvHelper;

namespace Serverless.Trainer;

/// <summary>
/// The cells of a trial CSV (comma separated, a header row, RFC 4180 quoting) for the columns a trial uses, as
/// text in row order. Every row must have as many cells as the header. Immutable.
/// </summary>
public sealed class TrialTable
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

    private readonly Dictionary<string, string[]> _columns;

    private TrialTable(string source, IReadOnlyList<string> header, Dictionary<string, string[]> columns, int rowCount)
    {
        Source = source;
        Header = header;
        _columns = columns;
        RowCount = rowCount;
    }

    /// <summary>Where the rows came from (a URI), for messages.</summary>
    public string Source { get; }

    public IReadOnlyList<string> Header { get; }

    public int RowCount { get; }

    /// <summary>The cells of a column read by <see cref="Parse"/>, one per row.</summary>
    public IReadOnlyList<string> Column(string name) => _columns[name];

    /// <summary>
    /// Reads <paramref name="csv"/> keeping <paramref name="columns"/>; throws <see cref="TrialException"/> naming
    /// the file when a column is absent (<paramref name="roles"/> says what each is, e.g. "target"), the file is
    /// empty or malformed.
    /// </summary>
    public static TrialTable Parse(byte[] csv, string source, IReadOnlyList<string> columns, IReadOnlyDictionary<string, string>? roles = null)
    {
        try
        {
            return Read(csv, source, columns, roles);
        }
        catch (CsvFormatException e)
        {
            throw new TrialException($"'{source}' is not a valid CSV: {e.Message}", e);
        }
    }

    private static TrialTable Read(byte[] csv, string source, IReadOnlyList<string> columns, IReadOnlyDictionary<string, string>? roles)
    {
        using var reader = CsvReader.Create(new MemoryStream(csv, writable: false), Options);
        if (!reader.Read())
        {
            throw new TrialException($"'{source}' is empty: expected a header row and data rows.");
        }

        var header = new string[reader.FieldCount];
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = reader.GetString(i).Trim();
        }

        var indexes = new int[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            indexes[c] = Array.IndexOf(header, columns[c]);
            if (indexes[c] < 0)
            {
                var role = roles is not null && roles.TryGetValue(columns[c], out var r) ? r + " " : "";
                throw new TrialException($"'{source}' has no {role}column '{columns[c]}'; its columns are {string.Join(", ", header.Select(h => $"'{h}'"))}.");
            }
        }

        var cells = columns.Select(_ => new List<string>()).ToArray();
        while (reader.Read())
        {
            for (var c = 0; c < indexes.Length; c++)
            {
                cells[c].Add(reader.GetString(indexes[c]));
            }
        }

        if (cells.Length > 0 && cells[0].Count == 0)
        {
            throw new TrialException($"'{source}' has a header but no data rows.");
        }

        var byName = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
        {
            byName[columns[c]] = cells[c].ToArray();
        }

        return new TrialTable(source, header, byName, cells.Length > 0 ? cells[0].Count : 0);
    }
}
