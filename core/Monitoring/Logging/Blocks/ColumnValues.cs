using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// One row's features or outputs of a decoded columnar block, as the read-only dictionary
/// <see cref="InferenceLogRecord"/> carries: names from the row's layout (shared by the rows of that layout), values
/// made <see cref="JsonElement"/>s only when one is asked for (<see cref="LoggedColumns.Elements"/>, once per block), so
/// readers that look only at names or not at all cost nothing. Immutable.
/// </summary>
internal sealed class ColumnValues : IReadOnlyDictionary<string, JsonElement>
{
    private readonly LoggedColumns _columns;
    private readonly LoggedNames _names;
    private readonly int _row;

    public ColumnValues(LoggedColumns columns, LoggedNames names, int row)
    {
        _columns = columns;
        _names = names;
        _row = row;
    }

    public int Count => _names.Names.Length;

    public JsonElement this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No logged value named '{key}'.");

    public IEnumerable<string> Keys => _names.Names;

    public IEnumerable<JsonElement> Values => _columns.Elements(_row).ToArray();

    public bool ContainsKey(string key) => _names.TryGetIndex(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out JsonElement value)
    {
        if (_names.TryGetIndex(key, out var index))
        {
            value = _columns.Elements(_row)[index];
            return true;
        }

        value = default;
        return false;
    }

    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator()
    {
        for (var i = 0; i < _names.Names.Length; i++)
        {
            yield return new KeyValuePair<string, JsonElement>(_names.Names[i], _columns.Elements(_row)[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
