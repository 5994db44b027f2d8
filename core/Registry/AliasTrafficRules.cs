using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>
/// Makes <see cref="AliasTraffic"/> from what a caller wrote (validated, each mistake a BadRequest naming <c>traffic</c> or
/// <c>routing_key</c>) and from what the registry stored (trusted). Shares are put in <see cref="VersionOrder"/>. Pure; thread-safe.
/// </summary>
public static class AliasTrafficRules
{
    /// <summary>Headers a split may not route by: their values are secrets or set by the platform, never a caller's routing choice.</summary>
    private static readonly HashSet<string> CredentialHeaders = new(StringComparer.Ordinal)
    {
        "authorization", "proxy-authorization", "cookie", "x-functions-key", "x-api-key",
    };

    /// <summary>
    /// A split as a caller wrote it, validated: 1 to <see cref="AliasTraffic.MaxVersions"/> valid, distinct versions, whole weights from 0 to
    /// 100 summing to 100, and a valid header name as <paramref name="routingKey"/> (default <see cref="AliasTraffic.DefaultRoutingKey"/>).
    /// BadRequest naming <c>traffic</c> or <c>routing_key</c> otherwise. One version at 100 is the one-version form.
    /// </summary>
    public static AliasTraffic Create(IReadOnlyCollection<KeyValuePair<string, int>> weights, string? routingKey)
    {
        if (weights.Count is 0 or > AliasTraffic.MaxVersions)
        {
            throw ServingException.BadRequest($"'traffic' must name 1 to {AliasTraffic.MaxVersions} versions (was {weights.Count}).");
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
            return AliasTraffic.Single(shares[0].Version);
        }

        return new AliasTraffic(shares, ValidateRoutingKey(routingKey));
    }

    /// <summary>
    /// <paramref name="traffic"/> with a mirror as a caller wrote it, validated: a valid version that is not one of the traffic's
    /// versions (at any weight) and a whole percent from 1 to 100. BadRequest naming <c>mirror</c> otherwise. Whether the version
    /// exists is the registry's check when it stores the alias.
    /// </summary>
    public static AliasTraffic WithMirror(AliasTraffic traffic, string version, int percent)
    {
        ModelIdentifiers.ValidateVersion(version, "mirror");
        if (percent is < 1 or > 100)
        {
            throw ServingException.BadRequest($"'mirror': 'percent' must be a whole number from 1 to 100 (was {percent}).");
        }

        if (traffic.Contains(version))
        {
            throw ServingException.BadRequest(
                $"'mirror': version '{version}' already serves the alias's traffic; mirror a version outside it (a version is scored as primary or as mirror, not both).");
        }

        return traffic.WithMirror(new AliasMirror(version, percent));
    }

    /// <summary>
    /// The header name in lower case; BadRequest naming <c>routing_key</c> unless it is an HTTP token of 1 to 64 characters
    /// and not a header that carries credentials or identity (<see cref="CredentialHeaders"/>, <c>x-ms-client-principal*</c>).
    /// </summary>
    public static string ValidateRoutingKey(string? routingKey)
    {
        if (routingKey is null)
        {
            return AliasTraffic.DefaultRoutingKey;
        }

        if (routingKey.Length is 0 or > AliasTraffic.MaxRoutingKeyLength || !routingKey.All(IsTokenChar))
        {
            throw ServingException.BadRequest(
                $"'routing_key' must be an HTTP header name: 1-{AliasTraffic.MaxRoutingKeyLength} letters, digits or !#$%&'*+-.^_`|~ (was {DataText.Quote(routingKey)}).");
        }

        var name = routingKey.ToLowerInvariant();
        if (CredentialHeaders.Contains(name) || name.StartsWith("x-ms-client-principal", StringComparison.Ordinal))
        {
            throw ServingException.BadRequest(
                $"'routing_key' must not be a header that carries credentials or identity ('{name}'): route by a header meant for it, such as x-user-id.");
        }

        return name;
    }

    /// <summary>
    /// As <see cref="FromStored(string?, string?, string)"/>, with the mirror stored beside it (<paramref name="mirrorVersion"/> null: none).
    /// </summary>
    public static AliasTraffic FromStored(string? json, string? routingKey, string version, string? mirrorVersion, int? mirrorPercent) =>
        FromStored(json, routingKey, version).WithMirror(mirrorVersion is null ? null : new AliasMirror(mirrorVersion, mirrorPercent ?? 100));

    /// <summary>
    /// The traffic as stored: the weights <paramref name="json"/> wrote with <see cref="AliasTraffic.ToJson"/> (trusted, not validated
    /// again) and <paramref name="routingKey"/>, or, without weights, the one-version form of <paramref name="version"/>.
    /// </summary>
    public static AliasTraffic FromStored(string? json, string? routingKey, string version)
    {
        if (string.IsNullOrEmpty(json))
        {
            return AliasTraffic.Single(version);
        }

        using var document = JsonDocument.Parse(json);
        var shares = document.RootElement.EnumerateObject().Select(p => new TrafficShare(p.Name, p.Value.GetInt32())).ToArray();
        Array.Sort(shares, static (a, b) => VersionOrder.Instance.Compare(a.Version, b.Version));
        return shares.Length == 1 ? AliasTraffic.Single(shares[0].Version) : new AliasTraffic(shares, routingKey ?? AliasTraffic.DefaultRoutingKey);
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
