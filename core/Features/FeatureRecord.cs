namespace Serverless.Core.Features;

/// <summary>
/// One entity's feature values in a set version, each with its own event time (UTC ticks; 0: never written): what the online
/// store holds per key, and also one incoming row (every feature it gives stamped with the row's event time). Numeric values
/// live in <see cref="Numbers"/>, categories in <see cref="Texts"/>, at the feature's declared position. Not thread-safe while
/// being built; treat as immutable once stored or cached.
/// </summary>
public sealed class FeatureRecord
{
    public FeatureRecord(string entityKey, string[] keyValues, int features)
    {
        EntityKey = entityKey;
        KeyValues = keyValues;
        Numbers = new double[features];
        Texts = new string?[features];
        Ticks = new long[features];
    }

    /// <summary>The encoded key (<see cref="Features.EntityKey"/>).</summary>
    public string EntityKey { get; }

    /// <summary>The key columns' values, in the declaration's order.</summary>
    public string[] KeyValues { get; }

    public double[] Numbers { get; }

    public string?[] Texts { get; }

    /// <summary>Per feature, the event time of its value in UTC ticks; 0 when the feature has no value.</summary>
    public long[] Ticks { get; }

    /// <summary>The stored entity's ETag, for a conditional write; null for an incoming row or an entity not yet stored.</summary>
    public string? ETag { get; set; }

    public bool Has(int feature) => Ticks[feature] != 0;

    public DateTimeOffset EventTime(int feature) => new(Ticks[feature], TimeSpan.Zero);

    /// <summary>
    /// Folds <paramref name="incoming"/> into this record, feature by feature: a value replaces the one held when its event time
    /// is later, or equal with a greater value (numbers by value, categories ordinally), so the result does not depend on the order
    /// writes arrive in and writing the same row twice changes nothing. Returns how many values were replaced and how many
    /// incoming values were older than (or the same as) what is held.
    /// </summary>
    public (int Updated, int Kept) Merge(FeatureRecord incoming)
    {
        int updated = 0, kept = 0;
        for (var f = 0; f < Ticks.Length; f++)
        {
            var ticks = incoming.Ticks[f];
            if (ticks == 0)
            {
                continue;
            }

            if (ticks > Ticks[f] || (ticks == Ticks[f] && IsGreater(incoming, f)))
            {
                Numbers[f] = incoming.Numbers[f];
                Texts[f] = incoming.Texts[f];
                Ticks[f] = ticks;
                updated++;
            }
            else
            {
                kept++;
            }
        }

        return (updated, kept);
    }

    /// <summary>A copy with the same values, times and ETag.</summary>
    public FeatureRecord Clone()
    {
        var copy = new FeatureRecord(EntityKey, KeyValues, Ticks.Length) { ETag = ETag };
        Numbers.CopyTo(copy.Numbers, 0);
        Texts.CopyTo(copy.Texts, 0);
        Ticks.CopyTo(copy.Ticks, 0);
        return copy;
    }

    private bool IsGreater(FeatureRecord incoming, int f) => Texts[f] is null && incoming.Texts[f] is null
        ? incoming.Numbers[f].CompareTo(Numbers[f]) > 0
        : string.CompareOrdinal(incoming.Texts[f], Texts[f]) > 0;
}
