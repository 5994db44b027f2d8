using System.Globalization;
using Azure.Data.Tables;

namespace Serverless.Core.Features;

/// <summary>
/// Table layout of the online store: partition = the encoded entity key (so load spreads over keys and every set of one key sits
/// together), row = <c>{set}@{version}</c>; <c>k{j}</c> the key columns' values, <c>v{i}</c> feature i's value (Double or
/// String), <c>t{i}</c> its event time in UTC ticks (Int64). Features are stored by declared position, so any feature name works.
/// </summary>
internal static class OnlineEntities
{
    public static string RowKey(FeatureSetDefinition set) => set.Id;

    public static TableEntity ToEntity(FeatureSetDefinition set, FeatureRecord record)
    {
        var entity = new TableEntity(record.EntityKey, RowKey(set));
        for (var k = 0; k < record.KeyValues.Length; k++)
        {
            entity[Name('k', k)] = record.KeyValues[k];
        }

        for (var f = 0; f < set.Features.Count; f++)
        {
            if (!record.Has(f))
            {
                continue;
            }

            entity[Name('v', f)] = set.Features[f].IsNumeric ? record.Numbers[f] : record.Texts[f];
            entity[Name('t', f)] = record.Ticks[f];
        }

        return entity;
    }

    public static FeatureRecord ToRecord(FeatureSetDefinition set, TableEntity entity)
    {
        var keys = new string[set.EntityKeys.Count];
        for (var k = 0; k < keys.Length; k++)
        {
            keys[k] = entity.GetString(Name('k', k)) ?? "";
        }

        var record = new FeatureRecord(entity.PartitionKey, keys, set.Features.Count) { ETag = entity.ETag.ToString() };
        for (var f = 0; f < set.Features.Count; f++)
        {
            if (entity.GetInt64(Name('t', f)) is not { } ticks || ticks <= 0)
            {
                continue;
            }

            if (set.Features[f].IsNumeric)
            {
                if (entity.GetDouble(Name('v', f)) is not { } number)
                {
                    continue;
                }

                record.Numbers[f] = number;
            }
            else
            {
                if (entity.GetString(Name('v', f)) is not { } text)
                {
                    continue;
                }

                record.Texts[f] = text;
            }

            record.Ticks[f] = ticks;
        }

        return record;
    }

    private static readonly string[] KeyNames = Names('k', FeatureSetJson.MaxEntityKeys);
    private static readonly string[] ValueNames = Names('v', FeatureSetJson.MaxFeatures);
    private static readonly string[] TickNames = Names('t', FeatureSetJson.MaxFeatures);

    private static string Name(char prefix, int index) => prefix switch
    {
        'k' => KeyNames[index],
        'v' => ValueNames[index],
        _ => TickNames[index],
    };

    private static string[] Names(char prefix, int count) =>
        Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToArray();
}
