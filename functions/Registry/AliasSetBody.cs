using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Storage;

namespace Serverless.Functions.Registry;

/// <summary>
/// Reads the body of <c>PUT models/{name}/aliases/{alias}</c> (<see cref="SetAliasRequest"/>): <c>version</c> (a string, or a
/// number taken as its text) or <c>traffic</c> (an object of whole weights) with an optional <c>routing_key</c>, never both;
/// an optional <c>mirror</c> (<c>{"version": "5", "percent": 50}</c>; absent or null: no mirror, as the PUT states the whole
/// alias); and an optional <c>reason</c>. Each mistake is a BadRequest naming the field; <c>traffic</c> is read no further than
/// <see cref="AliasTraffic.MaxVersions"/> + 1 entries.
/// </summary>
internal static class AliasSetBody
{
    public static (AliasTraffic Traffic, string? Reason) Read(RequestBody body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var hasVersion = root.TryGetProperty("version", out var version);
                var hasTraffic = root.TryGetProperty("traffic", out var traffic);
                var hasKey = root.TryGetProperty("routing_key", out var routingKey) && routingKey.ValueKind != JsonValueKind.Null;
                if (hasVersion && hasTraffic)
                {
                    throw ServingException.BadRequest("Give either 'version' (one version) or 'traffic' (a split), not both.");
                }

                if (hasTraffic)
                {
                    return (ReadMirror(root, ReadTraffic(traffic, hasKey ? ReadRoutingKey(routingKey) : null)), ModelAliasFunctions.ReadReason(root));
                }

                if (hasKey)
                {
                    throw ServingException.BadRequest("'routing_key' applies to a 'traffic' split only; a one-version alias routes every request to its version.");
                }

                if (hasVersion)
                {
                    var reason = ModelAliasFunctions.ReadReason(root);
                    switch (version.ValueKind)
                    {
                        case JsonValueKind.String when !string.IsNullOrEmpty(version.GetString()):
                            return (ReadMirror(root, Single(version.GetString()!)), reason);
                        case JsonValueKind.Number:
                            return (ReadMirror(root, Single(version.GetRawText())), reason);
                    }
                }
            }
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body.Span);
        }

        throw ServingException.BadRequest(
            "The body must be a JSON object with a 'version', for example {\"version\": \"3\"}, or a 'traffic' split, for example {\"traffic\": {\"3\": 90, \"4\": 10}}.");
    }

    private static AliasTraffic Single(string version)
    {
        ModelIdentifiers.ValidateVersion(version);
        return AliasTraffic.Single(version);
    }

    /// <summary><paramref name="traffic"/> with the body's <c>mirror</c>, if it has one (null or absent: none).</summary>
    private static AliasTraffic ReadMirror(JsonElement root, AliasTraffic traffic)
    {
        if (!root.TryGetProperty("mirror", out var mirror) || mirror.ValueKind == JsonValueKind.Null)
        {
            return traffic;
        }

        if (mirror.ValueKind != JsonValueKind.Object)
        {
            throw ServingException.BadRequest($"'mirror' must be an object, for example {{\"version\": \"5\", \"percent\": 50}} (was a JSON {Kind(mirror)}).");
        }

        var version = mirror.TryGetProperty("version", out var v) ? v : default;
        var name = version.ValueKind switch
        {
            JsonValueKind.String when !string.IsNullOrEmpty(version.GetString()) => version.GetString()!,
            JsonValueKind.Number => version.GetRawText(),
            _ => throw ServingException.BadRequest("'mirror' needs a 'version' (a string), for example {\"version\": \"5\", \"percent\": 50}."),
        };
        if (!mirror.TryGetProperty("percent", out var percent) || percent.ValueKind != JsonValueKind.Number || !percent.TryGetInt32(out var share))
        {
            var was = mirror.TryGetProperty("percent", out var given) ? DataText.Quote(given.GetRawText()) : "absent";
            throw ServingException.BadRequest($"'mirror': 'percent' must be a whole number from 1 to 100 (was {was}).");
        }

        foreach (var property in mirror.EnumerateObject())
        {
            if (property.Name is not ("version" or "percent"))
            {
                throw ServingException.BadRequest($"'mirror' takes 'version' and 'percent' only (was also {DataText.Quote(property.Name)}).");
            }
        }

        return AliasTrafficRules.WithMirror(traffic, name, share);
    }

    private static AliasTraffic ReadTraffic(JsonElement traffic, string? routingKey)
    {
        if (traffic.ValueKind != JsonValueKind.Object)
        {
            throw ServingException.BadRequest(
                $"'traffic' must be an object of version to whole percent, for example {{\"3\": 90, \"4\": 10}} (was a JSON {Kind(traffic)}).");
        }

        var weights = new List<KeyValuePair<string, int>>();
        foreach (var entry in traffic.EnumerateObject())
        {
            if (weights.Count == AliasTraffic.MaxVersions)
            {
                throw ServingException.BadRequest($"'traffic' must name 1 to {AliasTraffic.MaxVersions} versions (was more).");
            }

            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var weight))
            {
                throw ServingException.BadRequest(
                    $"'traffic': the weight of version {DataText.Quote(entry.Name)} must be a whole number from 0 to 100 (was {DataText.Quote(entry.Value.GetRawText())}).");
            }

            weights.Add(new(entry.Name, weight));
        }

        return AliasTrafficRules.Create(weights, routingKey);
    }

    private static string ReadRoutingKey(JsonElement routingKey) =>
        routingKey.ValueKind == JsonValueKind.String
            ? routingKey.GetString()!
            : throw ServingException.BadRequest($"'routing_key' must be a header name as a string, for example \"x-user-id\" (was a JSON {Kind(routingKey)}).");

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
