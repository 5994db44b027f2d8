using Serverless.Local.Azurite;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// A real Azurite (installed from npm on first use, in-memory, on free ports) and the local runner hosting
/// the function app against it over real HTTP. Fails with the reason when either cannot start.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public string ContainerName { get; } = "models-" + Guid.NewGuid().ToString("N")[..12];

    public string TableName { get; } = "registry" + Guid.NewGuid().ToString("N")[..12];

    public LocalFunctionHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _azurite = await StartAzuriteAsync();
        await StartHostAsync();
    }

    /// <summary>The one model the runner batches dynamically (<c>Batching:Models</c>).</summary>
    public const string BatchedModel = "batched-e2e";

    public LocalRunnerOptions RunnerOptions(bool requireKeys = false) => new()
    {
        Port = 0,
        StartAzurite = false,
        LogRequests = false,
        RequireKeys = requireKeys,
        Settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = ConnectionString,
            ["Registry:ContainerName"] = ContainerName,
            ["Registry:TableName"] = TableName,
            ["Serving:MaxRequestBodyBytes"] = MaxRequestBodyBytes.ToString(),
            ["Serving:ResolutionCacheSeconds"] = "0",
            ["MonitoringSchedule"] = "0 0 0 1 1 *", // On demand only: an on-the-hour run would hold the monitor's lock mid-test.
            ["RolloutSchedule"] = "0 0 0 1 1 *", // On demand only (POST api/rollouts/runs), so a test decides when a rollout is judged.
            ["Retraining:PollSeconds"] = "1", // A retraining run reads its live evidence every second.
            [$"Batching:Models:{BatchedModel}:MaxBatchSize"] = "8",
            [$"Batching:Models:{BatchedModel}:MaxQueueDelayMicroseconds"] = "2000",
        },
    };

    /// <summary>Stops the runner and starts a new one on the same storage, as a restart or a new instance would.</summary>
    public async Task RestartHostAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        await StartHostAsync();
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

    private async Task StartHostAsync()
    {
        Host = await LocalFunctionHost.StartAsync(RunnerOptions());
        Client = new HttpClient { BaseAddress = new Uri(Host.BaseAddress, Host.RoutePrefix + "/") };
        await WaitUntilReadyAsync(Client);
    }

    /// <summary>A fresh Azurite for one fixture: installed from npm on first use, in memory, on free ports.</summary>
    public static Task<AzuriteProcess> StartAzuriteAsync() => AzuriteProcess.StartAsync(new AzuriteOptions
    {
        InstallDirectory = Path.Combine(RepositoryPaths.LocalFolder(RepositoryPaths.FindRoot(AppContext.BaseDirectory)), "azurite"),
        DataDirectory = null,
        BlobPort = AzuriteProcess.FreePort(),
        QueuePort = AzuriteProcess.FreePort(),
        TablePort = AzuriteProcess.FreePort(),
    });

    public static async Task WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("v2/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The runner did not become ready: {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(100);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "Azurite and local runner";
}
