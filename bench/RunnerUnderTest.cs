using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Serverless.Local.Hosting;

namespace Serverless.Bench;

/// <summary>
/// The local runner hosted in this process (<see cref="LocalFunctionHost"/> on a free port, request logging off)
/// against a given storage account, with the bench models registered and aliased production over its own API.
/// </summary>
public sealed class RunnerUnderTest : IAsyncDisposable
{
    private readonly LocalFunctionHost _host;

    private RunnerUnderTest(LocalFunctionHost host)
    {
        _host = host;
        ApiBase = new Uri(host.BaseAddress, host.RoutePrefix + "/");
    }

    /// <summary>The route prefix's base, such as http://127.0.0.1:1234/api/.</summary>
    public Uri ApiBase { get; }

    public Uri InferUri(string model) => new(ApiBase, $"v2/models/{model}/infer");

    public Uri PredictUri(string model) => new(ApiBase, $"models/{model}/predict");

    /// <summary>The runner's services (to read counters such as the inference log's).</summary>
    public IServiceProvider Services => _host.Services;

    public static Task<RunnerUnderTest> StartAsync(string repositoryRoot, string storageConnectionString) =>
        StartAsync(repositoryRoot, storageConnectionString, new Dictionary<string, string?>());

    /// <summary>As above, with <paramref name="settings"/> added to (or overriding) the app settings.</summary>
    public static async Task<RunnerUnderTest> StartAsync(string repositoryRoot, string storageConnectionString, IReadOnlyDictionary<string, string?> settings)
    {
        // The monitoring timer (hourly by default) would run inside measured rounds; benchmarks run it only on request.
        var all = new Dictionary<string, string?> { ["MonitoringSchedule"] = "0 0 0 1 1 *" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        all["AzureWebJobsStorage"] = storageConnectionString;
        var host = await LocalFunctionHost.StartAsync(new LocalRunnerOptions
        {
            Port = 0,
            StartAzurite = false,
            LogRequests = false,
            RepositoryRoot = repositoryRoot,
            Settings = all,
        });
        return new RunnerUnderTest(host);
    }

    /// <summary>
    /// Registers each model as version 1 (with its <see cref="BenchModel.Manifest"/> when <paramref name="withManifests"/>, for
    /// the records API), points its production alias at it, and waits for readiness.
    /// </summary>
    public async Task RegisterAsync(IEnumerable<BenchModel> models, bool withManifests = false)
    {
        using var client = new HttpClient { BaseAddress = ApiBase, Timeout = TimeSpan.FromSeconds(60) };
        foreach (var model in models)
        {
            using var onnx = new ByteArrayContent(model.Onnx);
            onnx.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            await EnsureSuccessAsync(await client.PutAsync($"models/{model.Name}/versions/{BenchModel.Version}", onnx));
            if (withManifests)
            {
                using var manifest = new StringContent(model.Manifest, Encoding.UTF8, "application/json");
                await EnsureSuccessAsync(await client.PutAsync($"models/{model.Name}/versions/{BenchModel.Version}/manifest", manifest));
            }

            using var alias = new StringContent($$"""{"version":"{{BenchModel.Version}}"}""", Encoding.UTF8, "application/json");
            await EnsureSuccessAsync(await client.PutAsync($"models/{model.Name}/aliases/production", alias));
        }

        await WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Polls <c>v2/health/ready</c> (relative to the client's base address) until it answers 200.</summary>
    public static async Task WaitUntilReadyAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await client.GetAsync("v2/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The runner did not become ready: {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(
                    $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }
}
