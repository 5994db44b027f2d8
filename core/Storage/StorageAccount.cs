using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Serverless.Core.Storage;

/// <summary>
/// The storage account the app uses, read from configuration the way Azure Functions reads
/// <c>AzureWebJobsStorage</c>: either a connection string (<c>UseDevelopmentStorage=true</c> for Azurite) or
/// identity-based settings (<c>AzureWebJobsStorage__blobServiceUri</c>, <c>__tableServiceUri</c>,
/// <c>__queueServiceUri</c> or <c>__accountName</c>, optional <c>__clientId</c>) used with DefaultAzureCredential.
/// </summary>
public sealed class StorageAccount
{
    public const string SettingName = "AzureWebJobsStorage";

    private readonly string? _connectionString;
    private readonly Uri? _blobUri;
    private readonly Uri? _tableUri;
    private readonly Uri? _queueUri;
    private readonly TokenCredential? _credential;

    private StorageAccount(string? connectionString, Uri? blobUri, Uri? tableUri, Uri? queueUri, TokenCredential? credential)
    {
        _connectionString = connectionString;
        _blobUri = blobUri;
        _tableUri = tableUri;
        _queueUri = queueUri;
        _credential = credential;
    }

    /// <summary>True when the account is the local emulator (Azurite) named by <c>UseDevelopmentStorage=true</c>.</summary>
    public bool IsDevelopmentStorage =>
        _connectionString?.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Reads the account from configuration; throws InvalidOperationException naming the missing setting.</summary>
    public static StorageAccount FromConfiguration(IConfiguration configuration)
    {
        var connectionString = configuration[SettingName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageAccount(connectionString, null, null, null, null);
        }

        var section = configuration.GetSection(SettingName);
        var accountName = section["accountName"];
        var blobUri = UriOrDefault(section["blobServiceUri"], accountName, "blob");
        var tableUri = UriOrDefault(section["tableServiceUri"], accountName, "table");
        var queueUri = UriOrDefault(section["queueServiceUri"], accountName, "queue");
        if (blobUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{SettingName}' to a connection string (UseDevelopmentStorage=true for Azurite), " +
                $"or '{SettingName}__accountName' (or '__blobServiceUri' and '__tableServiceUri') for a managed identity.");
        }

        var clientId = section["clientId"];
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
        });
        return new StorageAccount(null, blobUri, tableUri, queueUri, credential);
    }

    public BlobServiceClient CreateBlobServiceClient() =>
        _connectionString is not null ? new BlobServiceClient(_connectionString) : new BlobServiceClient(_blobUri, _credential);

    public TableServiceClient CreateTableServiceClient() =>
        _connectionString is not null ? new TableServiceClient(_connectionString) : new TableServiceClient(_tableUri, _credential);

    /// <summary>A queue client of the account; <paramref name="options"/> (message encoding, retries) as given, else the SDK's defaults.</summary>
    public QueueServiceClient CreateQueueServiceClient(QueueClientOptions? options = null)
    {
        if (_connectionString is not null)
        {
            return new QueueServiceClient(_connectionString, options);
        }

        return _queueUri is not null
            ? new QueueServiceClient(_queueUri, _credential, options)
            : throw new InvalidOperationException($"Set '{SettingName}__queueServiceUri' or '{SettingName}__accountName' to use queues.");
    }

    private static Uri? UriOrDefault(string? explicitUri, string? accountName, string service)
    {
        if (!string.IsNullOrWhiteSpace(explicitUri))
        {
            return new Uri(explicitUri);
        }

        return string.IsNullOrWhiteSpace(accountName) ? null : new Uri($"https://{accountName}.{service}.core.windows.net");
    }
}
