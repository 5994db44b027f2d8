using System.Text.Json;
using Azure.Data.Tables;
using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>
/// Table layout of the registry: partition = model name; row "v_{version}" per version, "a_{alias}" per alias, and the
/// alias's history beside it (<see cref="AliasMoveEntities"/>). An alias's <c>Moves</c> is the sequence of its latest move.
/// </summary>
internal static class RegistryEntities
{
    public const string VersionPrefix = "v_";
    public const string AliasPrefix = "a_";
    public const string KindProperty = "Kind";
    public const string VersionKind = "version";
    public const string AliasKind = "alias";
    public const string ManifestSha256Property = "ManifestSha256";
    public const string SessionBytesProperty = "SessionBytes";
    public const string MovesProperty = "Moves";
    public const string TrafficProperty = "Traffic";
    public const string RoutingKeyProperty = "RoutingKey";
    public const string MirrorVersionProperty = "MirrorVersion";
    public const string MirrorPercentProperty = "MirrorPercent";
    public const string ServableProperty = "Servable";
    public const string GraphServable = "graph";
    public const string GraphPinsProperty = "GraphPins";
    public const string GraphPinKind = "graphpin";
    public const string GraphPinPrefix = "g_";

    public static string VersionRowKey(string version) => VersionPrefix + version;

    public static string AliasRowKey(string alias) => AliasPrefix + alias;

    /// <summary>A filter for every row of a partition whose key starts with <paramref name="prefix"/>.</summary>
    public static string PrefixFilter(string name, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {name} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + (char)(prefix[^1] + 1)}");

    public static TableEntity ToEntity(ModelVersion version) => new(version.Name, VersionRowKey(version.Version))
    {
        [KindProperty] = VersionKind,
        ["Version"] = version.Version,
        ["Sha256"] = version.Sha256,
        ["SizeBytes"] = version.SizeBytes,
        ["CreatedUtc"] = version.CreatedUtc,
        ["Description"] = version.Description,
        ["Inputs"] = JsonSerializer.Serialize(version.Inputs),
        ["Outputs"] = JsonSerializer.Serialize(version.Outputs),
        ["BlobName"] = version.BlobName,
        [ManifestSha256Property] = version.ManifestSha256,
        [SessionBytesProperty] = version.SessionBytes,
        [ServableProperty] = version.IsGraph ? GraphServable : null,
    };

    public static ModelVersion ToVersion(TableEntity entity) => new(
        entity.PartitionKey,
        entity.GetString("Version"),
        entity.GetString("Sha256"),
        entity.GetInt64("SizeBytes") ?? 0,
        entity.GetDateTimeOffset("CreatedUtc") ?? DateTimeOffset.MinValue,
        entity.GetString("Description"),
        JsonSerializer.Deserialize<TensorSpec[]>(entity.GetString("Inputs") ?? "[]") ?? [],
        JsonSerializer.Deserialize<TensorSpec[]>(entity.GetString("Outputs") ?? "[]") ?? [],
        entity.GetString("BlobName"))
    {
        ManifestSha256 = entity.GetString(ManifestSha256Property),
        SessionBytes = entity.GetInt64(SessionBytesProperty),
        IsGraph = entity.GetString(ServableProperty) == GraphServable,
    };

    /// <summary>
    /// A graph's pin on a member version, in the member's partition: row <c>g_{memberVersion}|{graph}|{graphVersion}</c>, so deleting the
    /// member version finds the graphs that pin it with one prefix query.
    /// </summary>
    public static string GraphPinRowKey(string memberVersion, string graph, string graphVersion) => $"{GraphPinPrefix}{memberVersion}|{graph}|{graphVersion}";

    public static string GraphPinPrefixOf(string memberVersion) => $"{GraphPinPrefix}{memberVersion}|";

    /// <summary>
    /// The alias row: <c>Version</c> is the one version or a split's primary (what readers that know no splits see);
    /// a split adds <c>Traffic</c> (its weights as JSON) and <c>RoutingKey</c>; a mirror <c>MirrorVersion</c> and <c>MirrorPercent</c>.
    /// </summary>
    public static TableEntity ToEntity(string name, string alias, AliasTraffic traffic, DateTimeOffset updatedUtc, long? moves = null) => new(name, AliasRowKey(alias))
    {
        [KindProperty] = AliasKind,
        ["Alias"] = alias,
        ["Version"] = traffic.Primary,
        [TrafficProperty] = traffic.IsSplit ? traffic.ToJson() : null,
        [RoutingKeyProperty] = traffic.RoutingKey,
        [MirrorVersionProperty] = traffic.Mirror?.Version,
        [MirrorPercentProperty] = traffic.Mirror?.Percent,
        ["UpdatedUtc"] = updatedUtc,
        [MovesProperty] = moves,
    };

    public static ModelAlias ToAlias(TableEntity entity) => new(
        entity.PartitionKey,
        entity.GetString("Alias"),
        entity.GetString("Version"),
        entity.GetDateTimeOffset("UpdatedUtc") ?? DateTimeOffset.MinValue,
        entity.ETag.ToString())
    {
        Traffic = ToTraffic(entity, "", "Version"),
    };

    /// <summary>
    /// The traffic stored under <paramref name="prefix"/> (Traffic, RoutingKey, MirrorVersion, MirrorPercent), or the one-version
    /// form of the version property.
    /// </summary>
    public static AliasTraffic ToTraffic(TableEntity entity, string prefix, string versionProperty) =>
        AliasTrafficRules.FromStored(entity.GetString(prefix + TrafficProperty), entity.GetString(prefix + RoutingKeyProperty), entity.GetString(versionProperty),
            entity.GetString(prefix + MirrorVersionProperty), entity.GetInt32(prefix + MirrorPercentProperty));
}
