using System.Text;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Storage;

namespace Serverless.Core.Models;

/// <summary>One version's share of an alias's traffic, in whole percent (0 to 100).</summary>
public readonly record struct TrafficShare(string Version, int Weight);

/// <summary>
/// Where an alias sends traffic: one version (the one-version form, <c>{"version": "3"}</c>), or a split of 2 to
/// <see cref="MaxVersions"/> versions with whole-percent weights summing to 100 and the request header whose value keeps a
/// caller on one version (<see cref="RoutingKey"/>). Shares are ordered by <see cref="VersionOrder"/>, so two equal splits
/// are equal however they were written. A split of one version at 100 is the one-version form. Immutable; thread-safe.
/// </summary>
public sealed class AliasTraffic : IEquatable<AliasTraffic>
{
    /// <summary>The most versions one split may hold.</summary>
    public const int MaxVersions = 10;

    /// <summary>The header a split reads its routing key from when none is named.</summary>
    public const string DefaultRoutingKey = "x-routing-key";

    /// <summary>The longest routing key header name accepted.</summary>
    public const int MaxRoutingKeyLength = 64;

    private AliasTraffic(TrafficShare[] shares, string? routingKey)
    {
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

    /// <summary>The versions and their weights, in <see cref="VersionOrder"/>.</summary>
    public IReadOnlyList<TrafficShare> Shares { get; }

    /// <summary>The (lower-case) header name whose value routes a request to the same version every time; null for one version.</summary>
    public string? RoutingKey { get; }

    /// <summary>True when traffic is split over more than one version.</summary>
    public bool IsSplit => Shares.Count > 1;

    /// <summary>The version with the largest weight (the earliest in version order among equals): what <c>version</c> reports.</summary>
    public string Primary { get; }

    /// <summary>The one-version form. The version is taken as stored; validate it first when it comes from a caller.</summary>
    public static AliasTraffic Single(string version) => new([new TrafficShare(version, 100)], null);

    /// <summary>
    /// A split as a caller wrote it, validated: 1 to <see cref="MaxVersions"/> valid, distinct versions, whole weights from 0 to
    /// 100 summing to 100, and a valid header name as <paramref name="routingKey"/> (default <see cref="DefaultRoutingKey"/>).
    /// BadRequest naming <c>traffic</c> or <c>routing_key</c> otherwise. One version at 100 is the one-version form.
    /// </summary>
    public static AliasTraffic Create(IReadOnlyCollection<KeyValuePair<string, int>> weights, string? routingKey)
    {
        if (weights.Count is 0 or > MaxVersions)
        {
            throw ServingException.BadRequest($"'traffic' must name 1 to {MaxVersions} versions (was {weights.Count}).");
        }

        var shares = new TrafficShare[weights.Count];
        var i = 0;
        var total = 0;
        foreach (var (version, weight) in weights)
        {
            ModelIdentifiers.ValidateVersion(version, "traffic");
            if (weight is < 0 or > 100)
            {
                throw ServingException.BadRequest($"'traffic': the weight of version '{version}' must be a whole number from 0 to 100 (was {weight}).");
            }

            total += weight;
            shares[i++] = new TrafficShare(version, weight);
        }

        Array.Sort(shares, static (a, b) => VersionOrder.Instance.Compare(a.Version, b.Version));
        for (var j = 1; j < shares.Length; j++)
        {
            if (string.Equals(shares[j - 1].Version, shares[j].Version, StringComparison.Ordinal))
            {
                throw ServingException.BadRequest($"'traffic' names version '{shares[j].Version}' more than once.");
            }
        }

        if (total != 100)
        {
            throw ServingException.BadRequest($"'traffic': the weights must sum to 100 (they sum to {total}).");
        }

        if (shares.Length == 1)
        {
            return Single(shares[0].Version);
        }

        return new AliasTraffic(shares, ValidateRoutingKey(routingKey));
    }

    /// <summary>The header name in lower case; BadRequest naming <c>routing_key</c> unless it is an HTTP token of 1 to 64 characters.</summary>
    public static string ValidateRoutingKey(string? routingKey)
    {
        if (routingKey is null)
        {
            return DefaultRoutingKey;
        }

        if (routingKey.Length is 0 or > MaxRoutingKeyLength || !routingKey.All(IsTokenChar))
        {
            throw ServingException.BadRequest(
                $"'routing_key' must be an HTTP header name: 1-{MaxRoutingKeyLength} letters, digits or !#$%&'*+-.^_`|~ (was {DataText.Quote(routingKey)}).");
        }

        return routingKey.ToLowerInvariant();
    }

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

    /// <summary>
    /// The traffic as stored: the weights <paramref name="json"/> wrote with <see cref="ToJson"/> (trusted, not validated
    /// again) and <paramref name="routingKey"/>, or, without weights, the one-version form of <paramref name="version"/>.
    /// </summary>
    public static AliasTraffic FromStored(string? json, string? routingKey, string version)
    {
        if (string.IsNullOrEmpty(json))
        {
            return Single(version);
        }

        using var document = JsonDocument.Parse(json);
        var shares = document.RootElement.EnumerateObject().Select(p => new TrafficShare(p.Name, p.Value.GetInt32())).ToArray();
        Array.Sort(shares, static (a, b) => VersionOrder.Instance.Compare(a.Version, b.Version));
        return shares.Length == 1 ? Single(shares[0].Version) : new AliasTraffic(shares, routingKey ?? DefaultRoutingKey);
    }

    /// <summary>The weights by version, in version order.</summary>
    public IReadOnlyDictionary<string, int> ToDictionary()
    {
        var weights = new SortedDictionary<string, int>(VersionOrder.Instance);
        foreach (var share in Shares)
        {
            weights[share.Version] = share.Weight;
        }

        return weights;
    }

    /// <summary>True when <paramref name="version"/> is one of the shares (at any weight, 0 included).</summary>
    public bool Contains(string version) => Shares.Any(s => string.Equals(s.Version, version, StringComparison.Ordinal));

    public bool Equals(AliasTraffic? other) =>
        other is not null && string.Equals(RoutingKey, other.RoutingKey, StringComparison.Ordinal) && Shares.SequenceEqual(other.Shares);

    public override bool Equals(object? obj) => Equals(obj as AliasTraffic);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(RoutingKey);
        foreach (var share in Shares)
        {
            hash.Add(share);
        }

        return hash.ToHashCode();
    }

    /// <summary>For messages: <c>version '3'</c>, or <c>3: 90 %, 4: 10 %</c>.</summary>
    public override string ToString() =>
        IsSplit ? string.Join(", ", Shares.Select(s => $"{s.Version}: {s.Weight} %")) : $"version '{Primary}'";

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
