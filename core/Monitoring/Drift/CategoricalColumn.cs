namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// A categorical feature as counts per category (zero counts are ignored). A reference that kept only its most
/// frequent categories pools the rest under <see cref="OtherCategory"/>; the engine then counts the current
/// window's categories that the reference does not list in that bucket too. Immutable.
/// </summary>
public sealed class CategoricalColumn : DriftColumn
{
    /// <summary>The bucket of a reference's categories that were not kept individually.</summary>
    public const string OtherCategory = "__other__";

    public CategoricalColumn(string name, IReadOnlyDictionary<string, long> counts, long missing)
        : base(name, missing)
    {
        ArgumentNullException.ThrowIfNull(counts);
        foreach (var (category, count) in counts)
        {
            if (count < 0)
            {
                throw new ArgumentException($"Column '{name}' has a negative count for category '{category}'.", nameof(counts));
            }
        }

        Counts = counts;
    }

    public IReadOnlyDictionary<string, long> Counts { get; }

    public override string Type => "categorical";

    public override long ValueCount => Counts.Values.Sum();
}
