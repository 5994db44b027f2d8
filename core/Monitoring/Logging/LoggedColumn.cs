using System.Globalization;
using System.Runtime.InteropServices;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// One feature (or output) name's values over a decoded block's rows (<see cref="LoggedColumns"/>), indexed by row:
/// per row its <see cref="LoggedKind"/>, the number (<see cref="Number"/>, NaN unless the kind is
/// <see cref="LoggedKind.Number"/>), the text (<see cref="LoggedKind.String"/>, or the JSON text of
/// <see cref="LoggedKind.Json"/>) as an index into the column's distinct texts, and number arrays. Immutable.
/// </summary>
public sealed class LoggedColumn
{
    private readonly byte[] _kinds;
    private readonly double[]? _numbers;
    private readonly int[]? _textCodes;
    private readonly string[] _texts;
    private readonly int[]? _arrayStarts;
    private readonly double[] _elements;

    internal LoggedColumn(string name, byte[] kinds, double[]? numbers, string[] texts, int[]? textCodes, int[]? arrayStarts, double[] elements)
    {
        Name = name;
        _kinds = kinds;
        _numbers = numbers;
        _texts = texts;
        _textCodes = textCodes;
        _arrayStarts = arrayStarts;
        _elements = elements;
    }

    public string Name { get; }

    /// <summary>Per row, what the row holds under this name.</summary>
    public ReadOnlySpan<LoggedKind> Kinds => MemoryMarshal.Cast<byte, LoggedKind>(_kinds.AsSpan());

    /// <summary>Per row, the number (NaN where the row holds no number); empty when no row holds one.</summary>
    public ReadOnlySpan<double> Numbers => _numbers;

    /// <summary>The distinct texts of the column (strings and JSON text), which <see cref="TextCode"/> indexes.</summary>
    public IReadOnlyList<string> Texts => _texts;

    public LoggedKind Kind(int row) => (LoggedKind)_kinds[row];

    public double Number(int row) => _numbers is null ? double.NaN : _numbers[row];

    /// <summary>The index of the row's text in <see cref="Texts"/>; -1 when the row holds no text.</summary>
    public int TextCode(int row) => _textCodes is null ? -1 : _textCodes[row];

    /// <summary>A <see cref="LoggedKind.String"/>'s value or a <see cref="LoggedKind.Json"/>'s text; null for other kinds.</summary>
    public string? Text(int row) => TextCode(row) is var code and >= 0 ? _texts[code] : null;

    /// <summary>A <see cref="LoggedKind.NumberArray"/>'s elements; empty for other kinds.</summary>
    public ReadOnlySpan<double> Array(int row) =>
        _arrayStarts is null ? default : _elements.AsSpan(_arrayStarts[row], _arrayStarts[row + 1] - _arrayStarts[row]);

    /// <summary>The row's value as a finite number: a number, or a string that parses as one; null otherwise (what a numeric feature reads).</summary>
    public double? FiniteNumber(int row) => Kind(row) switch
    {
        LoggedKind.Number when double.IsFinite(_numbers![row]) => _numbers[row],
        LoggedKind.String when double.TryParse(_texts[_textCodes![row]], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };

    /// <summary>The row's value as a category: a string, a number's shortest text, "true" or "false"; null otherwise (what a categorical feature reads).</summary>
    public string? Category(int row) => Kind(row) switch
    {
        LoggedKind.String => _texts[_textCodes![row]],
        LoggedKind.Number => _numbers![row].ToString("R", CultureInfo.InvariantCulture),
        LoggedKind.True => "true",
        LoggedKind.False => "false",
        _ => null,
    };

    /// <summary>Reads one column's cells: <paramref name="present"/> lists, in order, the rows that hold the name.</summary>
    internal static LoggedColumn Read(ref ColumnReader reader, string name, int rows, List<int> present)
    {
        var cells = reader.ReadCount(present.Count, "cells");
        if (cells != present.Count)
        {
            throw new InvalidDataException($"An inference log block's column '{Truncate(name)}' holds {cells} cells where its rows' layouts say {present.Count}.");
        }

        var kinds = new byte[rows];
        var cellKinds = reader.ReadBytes(cells);
        int numbers = 0, texts = 0, arrays = 0;
        for (var i = 0; i < cells; i++)
        {
            var kind = cellKinds[i];
            switch ((LoggedKind)kind)
            {
                case LoggedKind.Number: numbers++; break;
                case LoggedKind.String or LoggedKind.Json: texts++; break;
                case LoggedKind.NumberArray: arrays++; break;
                case LoggedKind.Null or LoggedKind.True or LoggedKind.False: break;
                default: throw new InvalidDataException($"An inference log block's column '{Truncate(name)}' holds a value of unknown kind {kind}.");
            }

            kinds[present[i]] = kind;
        }

        var numberValues = NumberColumn.Read(ref reader, numbers);
        var (textValues, codes) = TextColumn.Read(ref reader, texts);
        var lengths = new ColumnReader(reader.ReadBytes(reader.ReadCount(reader.Remaining, "array length bytes")));
        var elements = NumberColumn.Read(ref reader, reader.Remaining);
        if (numberValues.Length != numbers || codes.Length != texts)
        {
            throw new InvalidDataException($"An inference log block's column '{Truncate(name)}' holds fewer values than its kinds say.");
        }

        foreach (var value in numberValues.AsSpan())
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidDataException($"An inference log block's column '{Truncate(name)}' holds a number that is not finite.");
            }
        }

        foreach (var value in elements.AsSpan())
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidDataException($"An inference log block's column '{Truncate(name)}' holds an array element that is not finite.");
            }
        }

        var dense = numbers == 0 ? null : new double[rows];
        var textCodes = texts == 0 ? null : new int[rows];
        var arrayStarts = arrays == 0 ? null : new int[rows + 1];
        dense?.AsSpan().Fill(double.NaN);
        textCodes?.AsSpan().Fill(-1);
        int n = 0, t = 0, element = 0;
        bool[]? checkedJson = null;
        for (var i = 0; i < cells; i++)
        {
            var row = present[i];
            switch ((LoggedKind)cellKinds[i])
            {
                case LoggedKind.Number:
                    dense![row] = numberValues[n++];
                    break;
                case LoggedKind.String or LoggedKind.Json:
                    textCodes![row] = codes[t++];
                    if (cellKinds[i] == (byte)LoggedKind.Json && !(checkedJson ??= new bool[textValues.Length])[textCodes[row]] &&
                        !(checkedJson[textCodes[row]] = IsJson(textValues[textCodes[row]])))
                    {
                        throw new InvalidDataException($"An inference log block's column '{Truncate(name)}' holds JSON that does not parse.");
                    }

                    break;
                case LoggedKind.NumberArray:
                    var length = lengths.ReadCount(elements.Length - element, "array elements");
                    arrayStarts![row + 1] = length;
                    element += length;
                    break;
            }
        }

        for (var row = 0; arrayStarts is not null && row < rows; row++)
        {
            arrayStarts[row + 1] += arrayStarts[row];
        }

        if (element != elements.Length)
        {
            throw new InvalidDataException($"An inference log block's column '{Truncate(name)}' holds array elements its lengths do not account for.");
        }

        return new LoggedColumn(name, kinds, dense, textValues, textCodes, arrayStarts, elements);
    }

    private static bool IsJson(string text)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
            reader.Read();
            reader.Skip();
            return !reader.Read();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Truncate(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
