namespace Serverless.Core.Storage;

/// <summary>
/// The blob containers requests may name (<see cref="DataStorageOptions.DataContainers"/>), already validated at
/// start-up. Immutable; thread-safe.
/// </summary>
public sealed class DataContainers
{
    private readonly HashSet<string> _names;

    public DataContainers(IEnumerable<string> names)
    {
        Names = names.ToArray();
        _names = new HashSet<string>(Names, StringComparer.Ordinal);
    }

    /// <summary>The default containers (data, training, scores).</summary>
    public static DataContainers Default { get; } = new(DataStorageOptions.DefaultDataContainers);

    public IReadOnlyList<string> Names { get; }

    public bool Contains(string container) => _names.Contains(container);

    /// <summary>A blob a request names in <paramref name="field"/>; see <see cref="DataPath.Parse(string, string, DataContainers)"/>.</summary>
    public DataPath Blob(string? text, string field) => DataPath.Parse(text, field, this);

    /// <summary>A folder (blob name prefix) a request names in <paramref name="field"/>; see <see cref="DataPath.ParsePrefix"/>.</summary>
    public DataPath Prefix(string? text, string field) => DataPath.ParsePrefix(text, field, this);
}
