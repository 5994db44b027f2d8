namespace Serverless.Cli;

/// <summary>The text cells of a CSV file by column (header names trimmed), in row order. Immutable.</summary>
public sealed class CsvTable
{
    public CsvTable(string source, IReadOnlyList<string> header, IReadOnlyList<string[]> columns, int rowCount)
    {
        Source = source;
        Header = header;
        Columns = columns;
        RowCount = rowCount;
    }

    /// <summary>The file the table came from, for messages.</summary>
    public string Source { get; }

    public IReadOnlyList<string> Header { get; }

    /// <summary>One array of <see cref="RowCount"/> cells per header name, in header order.</summary>
    public IReadOnlyList<string[]> Columns { get; }

    public int RowCount { get; }

    public string[] Column(string name)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (Header[i] == name)
            {
                return Columns[i];
            }
        }

        throw new KeyNotFoundException($"'{Source}' has no column '{name}'.");
    }
}
