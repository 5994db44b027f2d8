using System.Text.Json;

namespace Serverless.Local.Hosting;

/// <summary>
/// Reads the <c>Values</c> of local.settings.json (falling back to local.settings.sample.json) as Core Tools
/// does: they become app settings unless the environment already sets the same name.
/// </summary>
public static class LocalSettings
{
    public static IReadOnlyDictionary<string, string?> Load(string root)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var path = new[] { "local.settings.json", "local.settings.sample.json" }.Select(f => Path.Combine(root, f)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            return values;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Values", out var settings) && settings.ValueKind == JsonValueKind.Object)
        {
            foreach (var setting in settings.EnumerateObject())
            {
                // App settings use "__" for sections, as environment variables do.
                values[setting.Name.Replace("__", ":", StringComparison.Ordinal)] = setting.Value.ValueKind == JsonValueKind.String
                    ? setting.Value.GetString()
                    : setting.Value.GetRawText();
            }
        }

        return values;
    }

    /// <summary>Reads <c>extensions.http.routePrefix</c> from host.json ("api" when absent).</summary>
    public static string RoutePrefix(string hostJsonPath) => ReadHostSetting(hostJsonPath, "http", "routePrefix") ?? "api";

    /// <summary>Reads <c>extensions.durableTask.hubName</c> from host.json ("TestHubName", Core Tools' default, when absent).</summary>
    public static string DurableHubName(string hostJsonPath) => ReadHostSetting(hostJsonPath, "durableTask", "hubName") ?? "TestHubName";

    private static string? ReadHostSetting(string hostJsonPath, string extension, string setting)
    {
        if (!File.Exists(hostJsonPath))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty(extension, out var section)
            && section.TryGetProperty(setting, out var value)
            && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
    }
}
