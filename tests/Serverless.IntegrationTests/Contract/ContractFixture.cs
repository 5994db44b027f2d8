using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Azurite;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Contract;

/// <summary>
/// A runner of its own on an Azurite of its own, so listings (models, sweeps, reports) hold only what the contract
/// tests put there and the golden answers do not depend on other tests.
/// </summary>
public sealed class ContractFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public LocalFunctionHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The blob endpoint (its port changes per run), for masking storage URIs in answers.</summary>
    public string BlobEndpoint => new BlobServiceClient(ConnectionString).Uri.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        _azurite = await StackFixture.StartAzuriteAsync();
        Host = await LocalFunctionHost.StartAsync(new LocalRunnerOptions
        {
            Port = 0,
            StartAzurite = false,
            LogRequests = false,
            Settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = ConnectionString,
                ["Serving:ResolutionCacheSeconds"] = "0",
                ["InferenceLog:FlushIntervalMs"] = "100",
                // Once a year: the timer must not write reports in the middle of the test.
                ["MonitoringSchedule"] = "0 0 0 1 1 *",
                ["RolloutSchedule"] = "0 0 0 1 1 *",
            },
        });
        Client = new HttpClient { BaseAddress = new Uri(Host.BaseAddress, Host.RoutePrefix + "/"), Timeout = TimeSpan.FromMinutes(2) };
        await StackFixture.WaitUntilReadyAsync(Client);
    }

    public async Task UploadAsync(string container, string name, string content)
    {
        var client = new BlobServiceClient(ConnectionString).GetBlobContainerClient(container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
