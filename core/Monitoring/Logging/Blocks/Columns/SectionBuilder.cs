using System.Text;
using System.Text.Json;

namespace Serverless.Core.Monitoring.Logging.Blocks.Columns;

/// <summary>
/// The features (or the outputs) of a block's records, column by column: each distinct name is a column holding its
/// rows' values (a kind byte each, numbers in a <see cref="NumberColumn"/>, strings and other JSON text in a
/// <see cref="TextColumn"/>, number arrays as lengths and one <see cref="NumberColumn"/> of their elements), and each
/// row refers to a <em>layout</em>: the columns it has, in its order (0 for a row without the object at all). Rows
/// sharing one layout, the usual case, cost no names. A name repeated within one object keeps its first value.
/// Layout: varint rows, varint columns and their names, varint layouts each as varint length and column indices,
/// the rows' layout ids (varint byte length, then varint id + 1 per row), then per column its cell count, kinds,
/// numbers, texts, array lengths (varint byte length, varints) and array elements. Not thread-safe.
/// </summary>
internal sealed class SectionBuilder
{
    private readonly List<Column> _columns = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<int[]> _layouts = [];
    private readonly ColumnBytes _rowLayouts = new(64);
    private readonly List<int> _current = [];
    private int _namesBytes;
    private int _layoutBytes;
    private int _last = -1;

    public SectionBuilder()
    {
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Rows { get; private set; }

    public int Columns => _columns.Count;

    public int Layouts => _layouts.Count;

    /// <summary>Bytes this section will take when written (exact to within a few bytes per column).</summary>
    public int Bytes
    {
        get
        {
            var bytes = 20 + _namesBytes + _layoutBytes + _rowLayouts.Length;
            foreach (var column in _columns)
            {
                bytes += column.Bytes;
            }

            return bytes;
        }
    }

    public void Clear()
    {
        _columns.Clear();
        _index.Clear();
        _layouts.Clear();
        _rowLayouts.Clear();
        _namesBytes = _layoutBytes = 0;
        _last = -1;
        Rows = 0;
    }

    /// <summary>A row without the object.</summary>
    public void AddNone()
    {
        _rowLayouts.WriteVarint(0);
        Rows++;
    }

    /// <summary>A row's object: <paramref name="json"/> is on its StartObject token (within <paramref name="source"/>) and is left on its EndObject.</summary>
    public void AddObject(ref Utf8JsonReader json, ReadOnlySpan<byte> source)
    {
        _current.Clear();
        var expected = _last >= 0 ? _layouts[_last] : [];
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var position = _current.Count;
            var index = position < expected.Length && json.ValueTextEquals(_columns[expected[position]].Utf8Name) ? expected[position] : Find(ref json);
            json.Read();
            var column = _columns[index];
            if (column.LastRow == Rows)
            {
                json.Skip();
                continue;
            }

            column.LastRow = Rows;
            _current.Add(index);
            column.Add(ref json, source);
        }

        _last = Layout();
        _rowLayouts.WriteVarint((ulong)_last + 1);
        Rows++;
    }

    /// <summary>Starts a row's object written value by value (<see cref="AddNumber"/>, <see cref="AddText"/>, <see cref="AddNumbers"/>), ended by <see cref="EndObject"/>.</summary>
    public void BeginObject() => _current.Clear();

    /// <summary>A finite number, as <see cref="NumberColumn.AddLogged"/> keeps it.</summary>
    public void AddNumber(string name, double value) => ColumnFor(name)?.AddNumber(value);

    /// <summary>A string, or null.</summary>
    public void AddText(string name, string? value) => ColumnFor(name)?.AddText(value);

    /// <summary>An array of finite numbers.</summary>
    public void AddNumbers(string name, IReadOnlyList<double> values) => ColumnFor(name)?.AddNumbers(values);

    public void EndObject()
    {
        _last = Layout();
        _rowLayouts.WriteVarint((ulong)_last + 1);
        Rows++;
    }

    public void WriteTo(ColumnBytes output)
    {
        output.WriteVarint((ulong)Rows);
        output.WriteVarint((ulong)_columns.Count);
        foreach (var column in _columns)
        {
            output.WriteString(column.Name);
        }

        output.WriteVarint((ulong)_layouts.Count);
        foreach (var layout in _layouts)
        {
            output.WriteVarint((ulong)layout.Length);
            foreach (var index in layout)
            {
                output.WriteVarint((ulong)index);
            }
        }

        output.WriteVarint((ulong)_rowLayouts.Length);
        output.WriteBytes(_rowLayouts.Written);
        foreach (var column in _columns)
        {
            column.WriteTo(output);
        }
    }

    /// <summary>The column of the row's next value: the previous row's at this position when the name matches, else found or added; null for a name repeated in the row.</summary>
    private Column? ColumnFor(string name)
    {
        var position = _current.Count;
        int index;
        if (_last >= 0 && position < _layouts[_last].Length && string.Equals(_columns[_layouts[_last][position]].Name, name, StringComparison.Ordinal))
        {
            index = _layouts[_last][position];
        }
        else if (!_index.TryGetValue(name, out index))
        {
            index = Add(name);
        }

        var column = _columns[index];
        if (column.LastRow == Rows)
        {
            return null;
        }

        column.LastRow = Rows;
        _current.Add(index);
        return column;
    }

    private int Add(string name)
    {
        var index = _columns.Count;
        _columns.Add(new Column(name));
        _index.Add(name, index);
        var bytes = Encoding.UTF8.GetByteCount(name);
        _namesBytes += bytes + ColumnBytes.VarintLength((ulong)bytes);
        return index;
    }

    private int Find(ref Utf8JsonReader json)
    {
        Span<char> buffer = stackalloc char[256];
        var length = json.HasValueSequence ? json.ValueSequence.Length : json.ValueSpan.Length;
        var name = length <= buffer.Length ? buffer[..json.CopyString(buffer)] : json.GetString().AsSpan();
        if (_lookup.TryGetValue(name, out var index))
        {
            return index;
        }

        return Add(name.ToString());
    }

    /// <summary>The id of the current row's layout: the previous row's when the same, else a known or a new one.</summary>
    private int Layout()
    {
        var current = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_current);
        if (_last >= 0 && current.SequenceEqual(_layouts[_last]))
        {
            return _last;
        }

        for (var i = 0; i < _layouts.Count; i++)
        {
            if (current.SequenceEqual(_layouts[i]))
            {
                return i;
            }
        }

        _layouts.Add(current.ToArray());
        _layoutBytes += ColumnBytes.VarintLength((ulong)current.Length);
        foreach (var index in current)
        {
            _layoutBytes += ColumnBytes.VarintLength((ulong)index);
        }

        return _layouts.Count - 1;
    }

    private sealed class Column(string name)
    {
        private readonly ColumnBytes _kinds = new(64);
        private readonly NumberColumn _numbers = new();
        private readonly TextColumn _texts = new();
        private readonly ColumnBytes _lengths = new(16);
        private readonly NumberColumn _elements = new();

        public string Name { get; } = name;

        public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

        public int LastRow { get; set; } = -1;

        public int Bytes => 10 + _kinds.Length + _numbers.Bytes + _texts.Bytes + 10 + _lengths.Length + _elements.Bytes;

        public void Add(ref Utf8JsonReader json, ReadOnlySpan<byte> source)
        {
            switch (json.TokenType)
            {
                case JsonTokenType.Number when _numbers.TryAdd(ref json):
                    _kinds.WriteByte((byte)LoggedKind.Number);
                    return;
                case JsonTokenType.String:
                    _kinds.WriteByte((byte)LoggedKind.String);
                    TextColumn.AddJsonString(_texts, ref json);
                    return;
                case JsonTokenType.Null:
                    _kinds.WriteByte((byte)LoggedKind.Null);
                    return;
                case JsonTokenType.True:
                    _kinds.WriteByte((byte)LoggedKind.True);
                    return;
                case JsonTokenType.False:
                    _kinds.WriteByte((byte)LoggedKind.False);
                    return;
                case JsonTokenType.StartArray when IsNumberArray(json):
                    _kinds.WriteByte((byte)LoggedKind.NumberArray);
                    var count = 0;
                    while (json.Read() && _elements.TryAdd(ref json))
                    {
                        count++;
                    }

                    _lengths.WriteVarint((ulong)count);
                    return;
                default:
                    var start = (int)json.TokenStartIndex;
                    json.Skip();
                    _kinds.WriteByte((byte)LoggedKind.Json);
                    _texts.Add(Encoding.UTF8.GetString(source[start..(int)json.BytesConsumed]));
                    return;
            }
        }

        public void AddNumber(double value)
        {
            _kinds.WriteByte((byte)LoggedKind.Number);
            _numbers.AddLogged(value);
        }

        public void AddText(string? value)
        {
            if (value is null)
            {
                _kinds.WriteByte((byte)LoggedKind.Null);
                return;
            }

            _kinds.WriteByte((byte)LoggedKind.String);
            _texts.Add(value);
        }

        public void AddNumbers(IReadOnlyList<double> values)
        {
            _kinds.WriteByte((byte)LoggedKind.NumberArray);
            for (var i = 0; i < values.Count; i++)
            {
                _elements.AddLogged(values[i]);
            }

            _lengths.WriteVarint((ulong)values.Count);
        }

        public void WriteTo(ColumnBytes output)
        {
            output.WriteVarint((ulong)_kinds.Length);
            output.WriteBytes(_kinds.Written);
            _numbers.WriteTo(output);
            _texts.WriteTo(output);
            output.WriteVarint((ulong)_lengths.Length);
            output.WriteBytes(_lengths.Written);
            _elements.WriteTo(output);
        }

        /// <summary>Whether the array starting here holds only numbers that read as doubles (looked at on a copy of the reader).</summary>
        private static bool IsNumberArray(Utf8JsonReader json)
        {
            while (json.Read())
            {
                if (json.TokenType == JsonTokenType.EndArray)
                {
                    return true;
                }

                if (!NumberColumn.IsFinite(ref json))
                {
                    return false;
                }
            }

            return false;
        }
    }
}
