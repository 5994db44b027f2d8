using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.Core.Storage;

namespace Serverless.Cli.Data;

/// <summary>
/// Which storage account the CLI's data commands reach, as the app does: <c>--connection</c>, else the
/// <c>AzureWebJobsStorage</c> environment variable, else <c>Values.AzureWebJobsStorage</c> of <c>local.settings.json</c>
/// in the current folder, else the local emulator (<c>UseDevelopmentStorage=true</c>, what the local runner starts).
/// The data containers are <c>Storage__DataContainers</c> when set, else the app's defaults.
/// </summary>
public sealed record StorageConnection(string ConnectionString, string Source, DataContainers Containers)
{
    public const string Setting = "AzureWebJobsStorage";

    public static StorageConnection Resolve(string? option, Func<string, string?> environment, string settingsFolder)
    {
        var containers = environment("Storage__DataContainers") is { Length: > 0 } names
            ? new DataContainers(names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : DataContainers.Default;
        if (!string.IsNullOrWhiteSpace(option))
        {
            return new(option, "--connection", containers);
        }

        if (environment(Setting) is { Length: > 0 } fromEnvironment)
        {
            return new(fromEnvironment, $"the {Setting} environment variable", containers);
        }

        var settings = Path.Combine(settingsFolder, "local.settings.json");
        if (File.Exists(settings) && ReadSetting(settings) is { Length: > 0 } fromSettings)
        {
            return new(fromSettings, settings, containers);
        }

        return new("UseDevelopmentStorage=true", "the local emulator (UseDevelopmentStorage=true)", containers);
    }

    public BlobServiceClient CreateClient()
    {
        var options = new BlobClientOptions();
        // A missing emulator should say so in seconds, not after the SDK's long default retries.
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromMinutes(5);
        try
        {
            return new BlobServiceClient(ConnectionString, options);
        }
        catch (FormatException e)
        {
            throw CliException.ForUsage($"The storage connection string from {Source} is not valid: {e.Message}");
        }
    }

    private static string? ReadSetting(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object
                && values.TryGetProperty(Setting, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException e)
        {
            throw CliException.ForUsage($"{path} is not valid JSON: {e.Message}");
        }
    }
}
