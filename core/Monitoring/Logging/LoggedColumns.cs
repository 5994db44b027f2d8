using System.Buffers;
using System.Text.Json;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// The features (or the outputs) of a decoded block (<see cref="InferenceLogColumns"/>): one <see cref="LoggedColumn"/>
/// per name met in the block, each indexed by row, and per row its layout (the names it holds, in its logged order;
/// none for a row without the object). The record view (<see cref="Values"/>) turns cells into <see cref="JsonElement"/>s
/// on first use, once for the whole block. Thread-safe after construction.
/// </summary>
public sealed class LoggedColumns
{
    /// <summary>Most cells (rows × columns) a decoded block may hold: the writer stays under half of it.</summary>
    internal const int MaxCells = 4_000_000;

    private readonly LoggedColumn[] _columns;
    private readonly Dictionary<string, int> _index;
    private readonly int[][] _layouts;
    private readonly int[] _rowLayouts;
    private readonly LoggedNames[] _names;
    private readonly Lazy<(JsonElement[] Values, int[] Starts)> _elements;

    private LoggedColumns(LoggedColumn[] columns, int[][] layouts, int[] rowLayouts)
    {
        _columns = columns;
        _layouts = layouts;
        _rowLayouts = rowLayouts;
        _index = new Dictionary<string, int>(columns.Length, StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            _index.TryAdd(columns[i].Name, i);
        }

        _names = layouts.Select(l => new LoggedNames(l.Select(c => columns[c].Name).ToArray())).ToArray();
        _elements = new Lazy<(JsonElement[], int[])>(Materialize);
    }

    public int Rows => _rowLayouts.Length;

    public IReadOnlyList<LoggedColumn> Columns => _columns;

    /// <summary>The column of this name; null when no row of the block holds it.</summary>
    public LoggedColumn? Find(string name) => _index.TryGetValue(name, out var index) ? _columns[index] : null;

    /// <summary>Whether the row holds the object at all (a failed request's record holds no features).</summary>
    public bool Has(int row) => _rowLayouts[row] >= 0;

    /// <summary>The row's columns (indices into <see cref="Columns"/>) in its logged order; empty without the object.</summary>
    public ReadOnlySpan<int> Layout(int row) => _rowLayouts[row] is var layout and >= 0 ? _layouts[layout] : default;

    /// <summary>The row's values as a read-only dictionary of JSON values (the record view); null without the object.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Values(int row) =>
        _rowLayouts[row] is var layout and >= 0 ? new ColumnValues(this, _names[layout], row) : null;

    /// <summary>The row's values as JSON elements, in its layout's order.</summary>
    internal ReadOnlySpan<JsonElement> Elements(int row)
    {
        var (values, starts) = _elements.Value;
        return values.AsSpan(starts[row], starts[row + 1] - starts[row]);
    }

    internal static LoggedColumns Read(ref ColumnReader reader, int rows)
    {
        var declared = reader.ReadCount(rows, "rows");
        if (declared != rows)
        {
            throw new InvalidDataException($"An inference log block's section holds {declared} rows, not {rows}.");
        }

        var names = new string[reader.ReadCount(reader.Remaining, "columns")];
        if ((long)names.Length * rows > MaxCells)
        {
            throw new InvalidDataException($"An inference log block holds {names.Length} columns × {rows} rows, more than {MaxCells} cells.");
        }

        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.ReadString();
        }

        var layouts = new int[reader.ReadCount(reader.Remaining, "layouts")][];
        var seen = new int[names.Length];
        for (var i = 0; i < layouts.Length; i++)
        {
            layouts[i] = new int[reader.ReadCount(names.Length, "layout columns")];
            for (var j = 0; j < layouts[i].Length; j++)
            {
                var column = reader.ReadCount(names.Length - 1, "column index");
                if (seen[column] == i + 1)
                {
                    throw new InvalidDataException("An inference log block's layout names a column twice.");
                }

                seen[column] = i + 1;
                layouts[i][j] = column;
            }
        }

        var rowLayouts = new int[rows];
        var ids = new ColumnReader(reader.ReadBytes(reader.ReadCount(reader.Remaining, "layout id bytes")));
        var rowsOf = new List<int>[layouts.Length];
        for (var row = 0; row < rows; row++)
        {
            var layout = rowLayouts[row] = ids.ReadCount(layouts.Length, "layout id") - 1;
            if (layout >= 0)
            {
                (rowsOf[layout] ??= []).Add(row);
            }
        }

        // A column's rows: those of the one layout that has it (the usual case, shared), else merged in row order.
        var layoutsOf = new List<int>[names.Length];
        for (var l = 0; l < layouts.Length; l++)
        {
            foreach (var column in layouts[l])
            {
                (layoutsOf[column] ??= []).Add(l);
            }
        }

        var present = new List<int>[names.Length];
        for (var c = 0; c < names.Length; c++)
        {
            var holding = layoutsOf[c] ?? [];
            if (holding.Count == 1)
            {
                present[c] = rowsOf[holding[0]] ?? [];
                continue;
            }

            var merged = new List<int>();
            var member = new bool[layouts.Length];
            holding.ForEach(l => member[l] = true);
            for (var row = 0; row < rows && holding.Count > 0; row++)
            {
                if (rowLayouts[row] >= 0 && member[rowLayouts[row]])
                {
                    merged.Add(row);
                }
            }

            present[c] = merged;
        }

        var columns = new LoggedColumn[names.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = LoggedColumn.Read(ref reader, names[c], rows, present[c]);
        }

        return new LoggedColumns(columns, layouts, rowLayouts);
    }

    /// <summary>Writes every row's cells as one JSON array of arrays and parses it once: the record view's elements.</summary>
    private (JsonElement[] Values, int[] Starts) Materialize()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var starts = new int[Rows + 1];
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            json.WriteStartArray();
            for (var row = 0; row < Rows; row++)
            {
                var layout = Layout(row);
                starts[row + 1] = starts[row] + layout.Length;
                foreach (var c in layout)
                {
                    WriteCell(json, _columns[c], row);
                }
            }

            json.WriteEndArray();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        var root = JsonElement.ParseValue(ref reader);
        var values = new JsonElement[starts[Rows]];
        var k = 0;
        foreach (var element in root.EnumerateArray())
        {
            values[k++] = element;
        }

        return (values, starts);
    }

    private static void WriteCell(Utf8JsonWriter json, LoggedColumn column, int row)
    {
        switch (column.Kind(row))
        {
            case LoggedKind.Number:
                json.WriteNumberValue(column.Number(row));
                break;
            case LoggedKind.String:
                json.WriteStringValue(column.Text(row));
                break;
            case LoggedKind.True or LoggedKind.False:
                json.WriteBooleanValue(column.Kind(row) == LoggedKind.True);
                break;
            case LoggedKind.NumberArray:
                json.WriteStartArray();
                foreach (var element in column.Array(row))
                {
                    json.WriteNumberValue(element);
                }

                json.WriteEndArray();
                break;
            case LoggedKind.Json:
                json.WriteRawValue(column.Text(row)!, skipInputValidation: true);
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }
}
