using System.Text;
using System.Text.Json;

namespace Serverless.Core.Models;

/// <summary>One version's share of an alias's traffic, in whole percent (0 to 100).</summary>
public readonly record struct TrafficShare(string Version, int Weight);

/// <summary>
/// Where an alias sends traffic: one version (the one-version form, <c>{"version": "3"}</c>), or a split of 2 to
/// <see cref="MaxVersions"/> versions with whole-percent weights summing to 100 and the request header whose value keeps a
/// caller on one version (<see cref="RoutingKey"/>), and optionally a <see cref="Mirror"/> that shadows a share of the requests.
/// Shares are ordered by version (the registry's VersionOrder), so two equal splits are equal however they were written. A split
/// of one version at 100 is the one-version form. Immutable; thread-safe.
/// </summary>
public sealed class AliasTraffic : IEquatable<AliasTraffic>
{
    /// <summary>The most versions one split may hold.</summary>
    public const int MaxVersions = 10;

    /// <summary>The header a split reads its routing key from when none is named.</summary>
    public const string DefaultRoutingKey = "x-routing-key";

    /// <summary>The longest routing key header name accepted.</summary>
    public const int MaxRoutingKeyLength = 64;

    /// <summary>
    /// Traffic over <paramref name="shares"/>, already validated and in version order (the registry's AliasTrafficRules makes
    /// them from what a caller wrote); <paramref name="routingKey"/> null for one version.
    /// </summary>
    public AliasTraffic(IReadOnlyList<TrafficShare> shares, string? routingKey)
    {
        ArgumentOutOfRangeException.ThrowIfZero(shares.Count);
        Shares = shares;
        RoutingKey = routingKey;
        var primary = shares[0];
        foreach (var share in shares)
        {
            if (share.Weight > primary.Weight)
            {
                primary = share;
            }
        }

        Primary = primary.Version;
    }

    /// <summary>The versions and their weights, in version order.</summary>
    public IReadOnlyList<TrafficShare> Shares { get; }

    /// <summary>The (lower-case) header name whose value routes a request to the same version every time; null for one version.</summary>
    public string? RoutingKey { get; }

    /// <summary>True when traffic is split over more than one version.</summary>
    public bool IsSplit => Shares.Count > 1;

    /// <summary>The version with the largest weight (the earliest in version order among equals): what <c>version</c> reports.</summary>
    public string Primary { get; }

    /// <summary>The version requests are copied to (never one of <see cref="Shares"/>), and what share of them; null for none.</summary>
    public AliasMirror? Mirror { get; private init; }

    /// <summary>The one-version form. The version is taken as stored; validate it first when it comes from a caller.</summary>
    public static AliasTraffic Single(string version) => new([new TrafficShare(version, 100)], null);

    /// <summary>The weights as stored and answered: <c>{"3":90,"4":10}</c>, in version order.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var share in Shares)
            {
                writer.WriteNumber(share.Version, share.Weight);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>True when <paramref name="version"/> is one of the shares (at any weight, 0 included).</summary>
    public bool Contains(string version) => Shares.Any(s => string.Equals(s.Version, version, StringComparison.Ordinal));

    /// <summary>True when <paramref name="version"/> is one of the shares or the mirror: the alias needs it to exist.</summary>
    public bool Holds(string version) => Contains(version) || string.Equals(Mirror?.Version, version, StringComparison.Ordinal);

    /// <summary>
    /// The same traffic with <paramref name="mirror"/> (null: none). The mirror is taken as given; validate it first when it
    /// comes from a caller (the registry's AliasTrafficRules.WithMirror).
    /// </summary>
    public AliasTraffic WithMirror(AliasMirror? mirror) => Equals(Mirror, mirror) ? this : new AliasTraffic(Shares, RoutingKey) { Mirror = mirror };

    public bool Equals(AliasTraffic? other) =>
        other is not null && string.Equals(RoutingKey, other.RoutingKey, StringComparison.Ordinal) && Shares.SequenceEqual(other.Shares)
        && Equals(Mirror, other.Mirror);

    public override bool Equals(object? obj) => Equals(obj as AliasTraffic);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(RoutingKey);
        hash.Add(Mirror);
        foreach (var share in Shares)
        {
            hash.Add(share);
        }

        return hash.ToHashCode();
    }

    /// <summary>For messages: <c>version '3'</c>, or <c>3: 90 %, 4: 10 %</c>; a mirror adds <c>, mirror '5' at 50 %</c>.</summary>
    public override string ToString() =>
        (IsSplit ? string.Join(", ", Shares.Select(s => $"{s.Version}: {s.Weight} %")) : $"version '{Primary}'") + (Mirror is null ? "" : $", {Mirror}");

}
