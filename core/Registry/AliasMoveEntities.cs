using Azure.Data.Tables;
using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>
/// Table layout of alias history, in the registry's table beside the alias (same partition, so a move and the alias
/// change it records commit in one entity group transaction): row <c>m_{alias}:{long.MaxValue - sequence, 19 digits}</c>,
/// so an alias's moves sort newest first. ':' is not an alias character, so one alias's rows never run into another's.
/// A move from or to a split also stores its weights and routing key (FromTraffic, FromRoutingKey, ToTraffic, ToRoutingKey), and
/// one from or to a mirrored alias its mirror (FromMirrorVersion, FromMirrorPercent, ToMirrorVersion, ToMirrorPercent).
/// </summary>
internal static class AliasMoveEntities
{
    public const string MoveKind = "aliasmove";
    public const string SequenceProperty = "Sequence";

    public static string Prefix(string alias) => "m_" + alias + ":";

    public static string RowKey(string alias, long sequence) => Prefix(alias) + (long.MaxValue - sequence).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static TableEntity ToEntity(string name, string alias, AliasMove move) => new(name, RowKey(alias, move.Sequence))
    {
        [RegistryEntities.KindProperty] = MoveKind,
        ["Alias"] = alias,
        [SequenceProperty] = move.Sequence,
        ["AtUtc"] = move.AtUtc,
        ["MoveKind"] = AliasMoveKinds.Name(move.Kind),
        ["FromVersion"] = move.FromVersion,
        ["ToVersion"] = move.ToVersion,
        ["By"] = move.By,
        ["Reason"] = move.Reason,
        ["UndoesSequence"] = move.UndoesSequence,
        ["From" + RegistryEntities.TrafficProperty] = move.FromTraffic is { IsSplit: true } from ? from.ToJson() : null,
        ["From" + RegistryEntities.RoutingKeyProperty] = move.FromTraffic?.RoutingKey,
        ["To" + RegistryEntities.TrafficProperty] = move.ToTraffic is { IsSplit: true } to ? to.ToJson() : null,
        ["To" + RegistryEntities.RoutingKeyProperty] = move.ToTraffic?.RoutingKey,
        ["From" + RegistryEntities.MirrorVersionProperty] = move.FromTraffic?.Mirror?.Version,
        ["From" + RegistryEntities.MirrorPercentProperty] = move.FromTraffic?.Mirror?.Percent,
        ["To" + RegistryEntities.MirrorVersionProperty] = move.ToTraffic?.Mirror?.Version,
        ["To" + RegistryEntities.MirrorPercentProperty] = move.ToTraffic?.Mirror?.Percent,
    };

    public static AliasMove ToMove(TableEntity entity)
    {
        var move = new AliasMove(
            entity.GetInt64(SequenceProperty) ?? 0,
            entity.GetDateTimeOffset("AtUtc") ?? DateTimeOffset.MinValue,
            AliasMoveKinds.Parse(entity.GetString("MoveKind")),
            entity.GetString("FromVersion"),
            entity.GetString("ToVersion"),
            entity.GetString("By") ?? "unknown",
            entity.GetString("Reason"),
            entity.GetInt64("UndoesSequence"));
        return move with
        {
            FromTraffic = move.FromVersion is null ? null : RegistryEntities.ToTraffic(entity, "From", "FromVersion"),
            ToTraffic = move.ToVersion is null ? null : RegistryEntities.ToTraffic(entity, "To", "ToVersion"),
        };
    }
}
