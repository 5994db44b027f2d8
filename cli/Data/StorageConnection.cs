using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Serverless.Core.Storage;

namespace Serverless.Cli.Data;

/// <summary>
/// Which storage account the CLI's data commands reach, as the app does: <c>--connection</c>, else the
/// <c>AzureWebJobsStorage</c> environment variable, else <c>Values.AzureWebJobsStorage</c> of <c>local.settings.json</c>
/// in the current folder, else the local emulator (<c>UseDevelopmentStorage=true</c>, what the local runner starts).
/// A deployed account takes no keys: <c>--account-url https://{account}.blob.core.windows.net</c> (or the app's own
/// identity-based setting <c>AzureWebJobsStorage__blobServiceUri</c>) reaches it with an Entra token instead
/// (<c>DefaultAzureCredential</c>: <c>az login</c>, a managed identity, environment variables), and wins over every connection string.
/// The data containers are <c>Storage__DataContainers</c> when set, else the app's defaults.
/// </summary>
public sealed record StorageConnection(string ConnectionString, string Source, DataContainers Containers)
{
    public const string Setting = "AzureWebJobsStorage";
    public const string ServiceUriSetting = "AzureWebJobsStorage__blobServiceUri";

    /// <summary>The blob endpoint reached with an Entra token, when the account is named by URL; else null.</summary>
    public Uri? ServiceUri { get; init; }

    public static StorageConnection Resolve(string? option, Func<string, string?> environment, string settingsFolder) =>
        Resolve(option, null, environment, settingsFolder);

    public static StorageConnection Resolve(string? option, string? accountUrl, Func<string, string?> environment, string settingsFolder)
    {
        var containers = environment("Storage__DataContainers") is { Length: > 0 } names
            ? new DataContainers(names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : DataContainers.Default;
        if (!string.IsNullOrWhiteSpace(accountUrl))
        {
            return ByUrl(accountUrl, "--account-url", containers);
        }

        if (!string.IsNullOrWhiteSpace(option))
        {
            return new(option, "--connection", containers);
        }

        if (environment(ServiceUriSetting) is { Length: > 0 } serviceUri)
        {
            return ByUrl(serviceUri, $"the {ServiceUriSetting} environment variable", containers);
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

    /// <summary>The client: by Entra token from <paramref name="credential"/> for a URL, else by connection string.</summary>
    public BlobServiceClient CreateClient(Func<TokenCredential>? credential = null)
    {
        var options = new BlobClientOptions();
        // A missing emulator should say so in seconds, not after the SDK's long default retries.
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromMinutes(5);
        if (ServiceUri is { } uri)
        {
            return new BlobServiceClient(uri, (credential ?? (() => new DefaultAzureCredential()))(), options);
        }

        try
        {
            return new BlobServiceClient(ConnectionString, options);
        }
        catch (FormatException e)
        {
            throw CliException.ForUsage($"The storage connection string from {Source} is not valid: {e.Message}");
        }
    }

    private static StorageConnection ByUrl(string text, string source, DataContainers containers) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && string.IsNullOrEmpty(uri.Query)
            ? new(uri.GetLeftPart(UriPartial.Path), $"{uri.GetLeftPart(UriPartial.Path)} (Entra ID, from {source})", containers) { ServiceUri = uri }
            : throw CliException.ForUsage($"The storage account URL from {source} must be like https://<account>.blob.core.windows.net, without a query.");

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
