using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.DeployTests.Support;

/// <summary>
/// What Azure would answer for values known only at deployment: a resource's runtime properties
/// (<c>reference(id)</c>) and the cloud (<c>environment()</c>, Azure public cloud). Deterministic: the same id gives
/// the same client id, principal id and endpoints, so tests can tell identities apart.
/// </summary>
internal static class StandIns
{
    public static string ClientId(string identityId) => Guid("client|" + identityId).ToString();

    public static string PrincipalId(string identityId) => Guid("principal|" + identityId).ToString();

    public static JsonObject Environment() => new()
    {
        ["name"] = "AzureCloud",
        ["resourceManager"] = "https://management.azure.com/",
        ["suffixes"] = new JsonObject { ["storage"] = "core.windows.net", ["acrLoginServer"] = ".azurecr.io" },
    };

    public static JsonObject Reference(string resourceId)
    {
        var (type, name) = TypeAndName(resourceId);
        return type switch
        {
            "Microsoft.ManagedIdentity/userAssignedIdentities" => new JsonObject
            {
                ["clientId"] = ClientId(resourceId),
                ["principalId"] = PrincipalId(resourceId),
            },
            "Microsoft.Storage/storageAccounts" => new JsonObject
            {
                ["primaryEndpoints"] = new JsonObject
                {
                    ["blob"] = $"https://{name}.blob.core.windows.net/",
                    ["queue"] = $"https://{name}.queue.core.windows.net/",
                    ["table"] = $"https://{name}.table.core.windows.net/",
                    ["file"] = $"https://{name}.file.core.windows.net/",
                },
            },
            "Microsoft.Insights/components" => new JsonObject
            {
                ["ConnectionString"] = $"InstrumentationKey={Guid("ikey|" + resourceId)};IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/",
            },
            "Microsoft.ContainerRegistry/registries" => new JsonObject { ["loginServer"] = $"{name}.azurecr.io" },
            "Microsoft.Web/sites" => new JsonObject { ["defaultHostName"] = $"{name}.azurewebsites.net" },
            _ => throw new NotSupportedException($"No stand-in for reference() of a {type}; add one (Support/StandIns.cs)."),
        };
    }

    /// <summary>A name-based GUID, as ARM's guid() is (the value differs from ARM's; only its stability matters here).</summary>
    public static Guid Guid(string seed) => new(SHA256.HashData(Encoding.UTF8.GetBytes(seed)).AsSpan(0, 16));

    private static (string Type, string Name) TypeAndName(string resourceId)
    {
        var at = resourceId.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        var parts = resourceId[(at + "/providers/".Length)..].Split('/');
        return ($"{parts[0]}/{parts[1]}", parts[2]);
    }
}
