namespace Serverless.Core.Storage;

/// <summary>
/// Settings of the data requests may read and write (configuration section <c>Storage</c>): the blob containers a
/// batch scoring or training sweep request may name (<c>Storage:DataContainers</c>, a list, or one comma-separated
/// value such as <c>data,training,scores</c>; empty means <see cref="DefaultDataContainers"/>). Checked at start-up
/// by <see cref="DataStorageOptionsValidator"/>: each a valid container name and none a container the app owns.
/// </summary>
public sealed class DataStorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The configuration key of the list, for messages.</summary>
    public const string DataContainersSetting = SectionName + ":" + nameof(DataContainers);

    public static IReadOnlyList<string> DefaultDataContainers { get; } = ["data", "training", "scores"];

    /// <summary>The containers requests may name; empty means <see cref="DefaultDataContainers"/>.</summary>
    public List<string> DataContainers { get; set; } = [];

    /// <summary>The list in force: the configured names (trimmed, distinct), else the defaults.</summary>
    public IReadOnlyList<string> EffectiveDataContainers
    {
        get
        {
            var names = DataContainers.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).Distinct(StringComparer.Ordinal).ToList();
            return names.Count == 0 ? DefaultDataContainers : names;
        }
    }
}
