using Microsoft.ML.OnnxRuntime;

namespace Serverless.Core.Tabular;

/// <summary>
/// A model's input values for one <see cref="FeatureBatch"/>, in native ONNX Runtime memory, with their names
/// (pass both to the session's Run).
/// Owns the values; not thread-safe; dispose once.
/// </summary>
public sealed class TabularInputs : IDisposable
{
    private readonly List<string> _names;
    private readonly List<OrtValue> _values;

    internal TabularInputs(int capacity)
    {
        _names = new List<string>(capacity);
        _values = new List<OrtValue>(capacity);
    }

    public IReadOnlyList<string> Names => _names;

    public IReadOnlyList<OrtValue> Values => _values;

    internal void Add(string name, OrtValue value)
    {
        _names.Add(name);
        _values.Add(value);
    }

    public void Dispose()
    {
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _values.Clear();
        _names.Clear();
    }
}
