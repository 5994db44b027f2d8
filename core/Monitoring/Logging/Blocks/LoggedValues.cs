using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// Names shared by many decoded records (a block's records usually carry the same features in the same order): the
/// names in order and an index by name, built once per block instead of a hash table per record. Immutable.
/// </summary>
internal sealed class LoggedNames
{
    private readonly Dictionary<string, int> _index;

    public LoggedNames(string[] names)
    {
        Names = names;
        _index = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            _index.TryAdd(names[i], i);
        }
    }

    public string[] Names { get; }

    public bool TryGetIndex(string name, out int index) => _index.TryGetValue(name, out index);
}

/// <summary>
/// One decoded record's features or outputs: a read-only dictionary over shared <see cref="LoggedNames"/> and the
/// record's values (elements of the block's JSON document), in their logged order. About a third of the memory of a
/// Dictionary per record, which matters when a monitor run holds a million records. Immutable.
/// </summary>
internal sealed class LoggedValues : IReadOnlyDictionary<string, JsonElement>
{
    private readonly LoggedNames _names;
    private readonly JsonElement[] _values;

    public LoggedValues(LoggedNames names, JsonElement[] values)
    {
        _names = names;
        _values = values;
    }

    public int Count => _values.Length;

    public JsonElement this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No logged value named '{key}'.");

    public IEnumerable<string> Keys => _names.Names;

    public IEnumerable<JsonElement> Values => _values;

    public bool ContainsKey(string key) => _names.TryGetIndex(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out JsonElement value)
    {
        if (_names.TryGetIndex(key, out var index))
        {
            value = _values[index];
            return true;
        }

        value = default;
        return false;
    }

    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            yield return new KeyValuePair<string, JsonElement>(_names.Names[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
