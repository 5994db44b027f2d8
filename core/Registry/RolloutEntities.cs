using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>
/// Table layout of an alias's rollout: one row <c>r_{alias}</c> beside the alias in the model's partition (so a rollout's
/// change and the alias move it makes commit in one entity group transaction), holding the latest rollout of the alias,
/// running or ended: <c>State</c> (running, completed, rolled_back, aborted; the timer finds running ones by it), <c>Version</c>
/// and the whole <see cref="AliasRollout"/> as JSON in <c>Rollout</c> (a few hundred bytes).
/// </summary>
internal static class RolloutEntities
{
    public const string RolloutKind = "aliasrollout";
    public const string StateProperty = "State";
    private const string RolloutProperty = "Rollout";

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string RowKey(string alias) => "r_" + alias;

    public static TableEntity ToEntity(string name, string alias, AliasRollout rollout) => new(name, RowKey(alias))
    {
        [RegistryEntities.KindProperty] = RolloutKind,
        ["Alias"] = alias,
        [StateProperty] = RolloutStates.Name(rollout.State),
        ["Version"] = rollout.Plan.Version,
        [RolloutProperty] = JsonSerializer.Serialize(rollout with { ETag = "" }, Json),
    };

    public static AliasRollout ToRollout(TableEntity entity)
    {
        var rollout = JsonSerializer.Deserialize<AliasRollout>(entity.GetString(RolloutProperty) ?? "null", Json)
            ?? throw new InvalidDataException($"Rollout row {entity.PartitionKey}/{entity.RowKey} holds no rollout.");
        return rollout with { ETag = entity.ETag.ToString() };
    }
}
