using System.Buffers;
using System.Text;

namespace Serverless.Core.Monitoring.Logging.Blocks.Columns;

/// <summary>
/// A sequence of strings (or nulls) as the columnar block stores it: dictionary-encoded. Layout: varint count of
/// distinct strings, each as a length-prefixed UTF-8 string, varint count of values, then per value the zigzag varint
/// of its code (index + 1, 0 for null) less the previous value's code, so repeated and consecutive codes take a byte.
/// Size is exact while building. Not thread-safe.
/// </summary>
internal sealed class TextColumn
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _strings = [];
    private readonly ColumnBytes _codes = new(64);
    private const int LastBytes = 64;

    private readonly char[] _scratch = new char[256];
    private readonly byte[] _lastBuffer = new byte[LastBytes];
    private int _lastLength;
    private long _lastCode;
    private int _stringBytes;
    private long _previous;

    public TextColumn()
    {
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count { get; private set; }

    /// <summary>Bytes this column will take when written.</summary>
    public int Bytes => 10 + _stringBytes + 10 + _codes.Length;

    public void Clear()
    {
        _index.Clear();
        _strings.Clear();
        _codes.Clear();
        _stringBytes = 0;
        _previous = 0;
        _lastCode = 0;
        Count = 0;
    }

    public void Add(string? value)
    {
        if (value is null)
        {
            AddCode(0);
            return;
        }

        if (_previous > 0 && string.Equals(_strings[(int)_previous - 1], value, StringComparison.Ordinal))
        {
            AddCode(_previous);
            return;
        }

        if (!_index.TryGetValue(value, out var index))
        {
            index = AddString(value);
        }

        AddCode(index + 1);
    }

    public void Add(ReadOnlySpan<char> value)
    {
        if (!_lookup.TryGetValue(value, out var index))
        {
            index = AddString(value.ToString());
        }

        AddCode(index + 1);
    }

    public void WriteTo(ColumnBytes output)
    {
        output.WriteVarint((ulong)_strings.Count);
        foreach (var text in _strings)
        {
            output.WriteString(text);
        }

        output.WriteVarint((ulong)Count);
        output.WriteBytes(_codes.Written);
    }

    /// <summary>Reads a column of at most <paramref name="maxCount"/> values: the distinct strings, and per value its index into them (-1 for null).</summary>
    public static (string[] Strings, int[] Codes) Read(ref ColumnReader reader, int maxCount)
    {
        var strings = new string[reader.ReadCount(reader.Remaining, "distinct strings")];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = reader.ReadString();
        }

        var codes = new int[reader.ReadCount(Math.Min(maxCount, reader.Remaining), "strings")];
        long code = 0;
        for (var i = 0; i < codes.Length; i++)
        {
            code += reader.ReadZigzag();
            if (code < 0 || code > strings.Length)
            {
                throw new InvalidDataException($"An inference log block refers to string {code} of {strings.Length}.");
            }

            codes[i] = (int)code - 1;
        }

        return (strings, codes);
    }

    /// <summary>The values themselves: <paramref name="codes"/> resolved against <paramref name="strings"/> (shared instances).</summary>
    public static string?[] Resolve(string[] strings, int[] codes)
    {
        var values = new string?[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            values[i] = codes[i] < 0 ? null : strings[codes[i]];
        }

        return values;
    }

    /// <summary>
    /// The text of a JSON string token, unescaped, without a string allocation for repeated values; the previous
    /// value's is recognised from its UTF-8 bytes alone.
    /// </summary>
    public static void AddJsonString(TextColumn column, ref System.Text.Json.Utf8JsonReader json)
    {
        if (column._lastCode > 0 && !json.ValueIsEscaped && !json.HasValueSequence && json.ValueSpan.SequenceEqual(column._lastBuffer.AsSpan(0, column._lastLength)))
        {
            column.AddCode(column._lastCode);
            return;
        }

        var length = json.HasValueSequence ? checked((int)json.ValueSequence.Length) : json.ValueSpan.Length;
        var buffer = length <= column._scratch.Length ? column._scratch : ArrayPool<char>.Shared.Rent(length);
        try
        {
            var written = json.CopyString(buffer);
            column.Add(buffer.AsSpan(0, written));
            if (!json.ValueIsEscaped && !json.HasValueSequence && json.ValueSpan.Length <= LastBytes)
            {
                column._lastCode = column._previous;
                column._lastLength = json.ValueSpan.Length;
                json.ValueSpan.CopyTo(column._lastBuffer);
            }
        }
        finally
        {
            if (!ReferenceEquals(buffer, column._scratch))
            {
                ArrayPool<char>.Shared.Return(buffer);
            }
        }
    }

    private int AddString(string value)
    {
        var index = _strings.Count;
        _strings.Add(value);
        _index.Add(value, index);
        var bytes = Encoding.UTF8.GetByteCount(value);
        _stringBytes += bytes + ColumnBytes.VarintLength((ulong)bytes);
        return index;
    }

    private void AddCode(long code)
    {
        _codes.WriteZigzag(code - _previous);
        _previous = code;
        Count++;
    }
}
