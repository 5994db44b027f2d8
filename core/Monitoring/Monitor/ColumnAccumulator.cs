using System.Runtime.InteropServices;
using Serverless.Core.Monitoring.Drift;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// One drift column built value by value: numbers into a growing array, categories into counts; null (or an empty
/// category) is missing. Not thread-safe.
/// </summary>
public sealed class ColumnAccumulator
{
    private readonly string _name;
    private readonly bool _numeric;
    private readonly Dictionary<string, long>? _counts;
    private double[] _values = [];
    private int _count;
    private long _missing;

    public ColumnAccumulator(string name, bool numeric)
    {
        _name = name;
        _numeric = numeric;
        _counts = numeric ? null : new Dictionary<string, long>(StringComparer.Ordinal);
    }

    public void AddNumber(double? value)
    {
        if (value is not { } number)
        {
            _missing++;
            return;
        }

        if (_count == _values.Length)
        {
            Array.Resize(ref _values, Math.Max(1024, _values.Length * 2));
        }

        _values[_count++] = number;
    }

    public void AddCategory(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            _missing++;
            return;
        }

        ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts!, value, out _);
        count++;
    }

    public DriftColumn Build() => _numeric
        ? new NumericColumn(_name, _values.AsSpan(0, _count).ToArray(), _missing)
        : new CategoricalColumn(_name, _counts!, _missing);
}
