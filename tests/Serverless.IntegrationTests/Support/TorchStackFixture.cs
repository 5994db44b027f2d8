using Serverless.Local.Azurite;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// A runner of its own on an Azurite of its own (its own Durable task hub, so no other runner's workers pick up its
/// trials' activities), whose torch trials run with a python3 that imports torch (<see cref="TorchPython"/>, installing
/// Debian's python3-torch when missing).
/// </summary>
public sealed class TorchStackFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public LocalFunctionHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var python = await TorchPython.ExecutableAsync();
        _azurite = await StackFixture.StartAzuriteAsync();
        Host = await LocalFunctionHost.StartAsync(new LocalRunnerOptions
        {
            Port = 0,
            StartAzurite = false,
            LogRequests = false,
            Settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = ConnectionString,
                ["Training:Torch:PythonPath"] = python,
                ["Serving:ResolutionCacheSeconds"] = "0",
                ["MonitoringSchedule"] = "0 0 0 1 1 *",
                ["RolloutSchedule"] = "0 0 0 1 1 *",
            },
        });
        Client = new HttpClient { BaseAddress = new Uri(Host.BaseAddress, Host.RoutePrefix + "/"), Timeout = TimeSpan.FromMinutes(2) };
        await StackFixture.WaitUntilReadyAsync(Client);
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
