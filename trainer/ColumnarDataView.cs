using Microsoft.ML;
using Microsoft.ML.Data;

namespace Serverless.Trainer;

/// <summary>
/// An in-memory <see cref="IDataView"/> over typed columns of equal length (float, bool or text), so a trial's
/// columns keep their own names: ML.NET names the ONNX inputs after them. Immutable; cursors are independent.
/// </summary>
internal sealed class ColumnarDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _rowCount;

    public ColumnarDataView(IReadOnlyList<(string Name, Array Values)> columns)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var (name, values) in columns)
        {
            builder.AddColumn(name, values switch
            {
                float[] => NumberDataViewType.Single,
                bool[] => BooleanDataViewType.Instance,
                ReadOnlyMemory<char>[] => TextDataViewType.Instance,
                _ => throw new ArgumentException($"Column '{name}' holds {values.GetType().Name}; use float[], bool[] or ReadOnlyMemory<char>[]."),
            });
        }

        Schema = builder.ToSchema();
        _columns = columns.Select(c => c.Values).ToArray();
        _rowCount = _columns.Length == 0 ? 0 : _columns[0].Length;
        if (_columns.Any(c => c.Length != _rowCount))
        {
            throw new ArgumentException("Every column needs the same number of rows.");
        }
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ColumnarDataView _view;
        private long _position = -1;

        public Cursor(ColumnarDataView view)
        {
            _view = view;
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._rowCount)
            {
                _position = _view._rowCount;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var values = _view._columns[column.Index] as TValue[]
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
            return (ref TValue value) => value = values[_position];
        }
    }
}
