using System.Buffers;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// The rows of a decoded block that a window judges for drift, with their sampling priorities, added to the feature
/// columns one column at a time: per numeric feature each row's value (a number, or a numeric string) offered to the
/// column's sample, per categorical feature a count per distinct text of the block's column, then one
/// <see cref="ColumnAccumulator.AddCategory(string?, long)"/> per text. A feature is read under its name, else (a row
/// logged by the Open Inference Protocol without the manifest's names) under its tensor name, exactly as
/// <see cref="WindowColumns.Lookup"/> reads a record. Holds pooled arrays until disposed. Not thread-safe.
/// </summary>
internal struct WindowColumnsAdder : IDisposable
{
    private readonly InferenceLogColumns _block;
    private int[] _rows;
    private ulong[] _priorities;
    private int _count;

    public WindowColumnsAdder(InferenceLogColumns block, int capacity)
    {
        _block = block;
        _rows = ArrayPool<int>.Shared.Rent(Math.Max(capacity, 1));
        _priorities = ArrayPool<ulong>.Shared.Rent(Math.Max(capacity, 1));
        _count = 0;
    }

    /// <summary>Whether the row is a summary of non-tabular inputs (its first feature is an input's <c>.shape</c>; see <see cref="TensorInputAccumulator"/>).</summary>
    public static bool IsSummary(InferenceLogColumns block, int row) =>
        block.Features.Layout(row) is { Length: > 0 } layout && block.Features.Columns[layout[0]].Name.EndsWith(".shape", StringComparison.Ordinal);

    public void Add(int row, ulong priority)
    {
        _rows[_count] = row;
        _priorities[_count++] = priority;
    }

    public readonly void AddFeature(ColumnAccumulator feature, string? tensorName)
    {
        if (_count == 0)
        {
            return;
        }

        var named = _block.Features.Find(feature.Name);
        var tensor = tensorName is null ? null : _block.Features.Find(tensorName);
        var rows = _rows.AsSpan(0, _count);
        if (feature.IsNumeric)
        {
            var priorities = _priorities.AsSpan(0, _count);
            if (tensor is not null)
            {
                for (var i = 0; i < rows.Length; i++)
                {
                    feature.AddNumber(Source(named, tensor, rows[i])?.FiniteNumber(rows[i]), priorities[i]);
                }
            }
            else if (named is null)
            {
                feature.AddMissing(rows.Length);
            }
            else
            {
                // The usual case, a feature logged under its own name: numbers straight from the column (all finite).
                var kinds = named.Kinds;
                var numbers = named.Numbers;
                for (var i = 0; i < rows.Length; i++)
                {
                    var row = rows[i];
                    if (kinds[row] == LoggedKind.Number)
                    {
                        feature.AddNumber(numbers[row], priorities[i]);
                    }
                    else
                    {
                        feature.AddNumber(named.FiniteNumber(row), priorities[i]);
                    }
                }
            }

            return;
        }

        var counts = named is { Texts.Count: > 0 } ? ArrayPool<long>.Shared.Rent(named.Texts.Count) : null;
        counts?.AsSpan(0, named!.Texts.Count).Clear();
        try
        {
            foreach (var row in rows)
            {
                var source = Source(named, tensor, row);
                if (source is not null && ReferenceEquals(source, named) && source.Kind(row) == LoggedKind.String)
                {
                    counts![source.TextCode(row)]++;
                }
                else
                {
                    feature.AddCategory(source?.Category(row));
                }
            }

            for (var code = 0; counts is not null && code < named!.Texts.Count; code++)
            {
                if (counts[code] > 0)
                {
                    feature.AddCategory(named.Texts[code], counts[code]);
                }
            }
        }
        finally
        {
            if (counts is not null)
            {
                ArrayPool<long>.Shared.Return(counts);
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_rows);
        ArrayPool<ulong>.Shared.Return(_priorities);
        _rows = [];
        _priorities = [];
    }

    /// <summary>The column the row's value is read from: the feature's own name when the row holds it, else the tensor name for an OIP row; null when neither.</summary>
    private readonly LoggedColumn? Source(LoggedColumn? named, LoggedColumn? tensor, int row)
    {
        if (named is not null && named.Kind(row) != LoggedKind.Absent)
        {
            return named;
        }

        return tensor is not null && tensor.Kind(row) != LoggedKind.Absent && _block.Sources[row] == InferenceLogSource.Infer ? tensor : null;
    }
}
