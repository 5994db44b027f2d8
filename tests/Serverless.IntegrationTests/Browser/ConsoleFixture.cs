using System.Text;
using Azure.Storage.Blobs;
using Microsoft.Playwright;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Azurite;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Browser;

/// <summary>
/// The console under a real browser: a runner of its own on an Azurite of its own, requiring keys (an operator's master
/// key and a client's function key), and headless Debian chromium driven by Playwright (installed through apt when
/// missing; Playwright never downloads a browser). Screenshots go to the test output, or with <see cref="RecordVariable"/>
/// to docs/console for the README.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string OperatorKey = "console-operator-key";
    public const string ClientKey = "console-client-key";

    /// <summary>With this variable set to 1 the screenshots replace the README's in docs/console; otherwise they go to the test output.</summary>
    public const string RecordVariable = "SERVERLESS_RECORD_SCREENSHOTS";

    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public LocalFunctionHost Host { get; private set; } = null!;

    /// <summary>The API with the operator's key.</summary>
    public HttpClient Operator { get; private set; } = null!;

    /// <summary>The API with the client's key.</summary>
    public HttpClient Client { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the console is: <c>http://127.0.0.1:port/api/console</c>.</summary>
    public Uri ConsoleUri => new(Host.BaseAddress, Host.RoutePrefix + "/console");

    public static string ScreenshotFolder => Environment.GetEnvironmentVariable(RecordVariable) == "1"
        ? Path.Combine(RepositoryPaths.FindRoot(AppContext.BaseDirectory), "docs", "console")
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = await DebianChromium.ExecutableAsync();
        _azurite = await StackFixture.StartAzuriteAsync();
        Host = await LocalFunctionHost.StartAsync(new LocalRunnerOptions
        {
            Port = 0,
            StartAzurite = false,
            LogRequests = false,
            RequireKeys = true,
            FunctionKey = ClientKey,
            MasterKey = OperatorKey,
            Settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = ConnectionString,
                ["Serving:ResolutionCacheSeconds"] = "0",
                ["MonitoringSchedule"] = "0 0 0 1 1 *",
                ["RolloutSchedule"] = "0 0 0 1 1 *",
                // The monitoring page's model: any latency is a finding, so its report raises an alert the page lists.
                [$"Monitoring:Models:{ConsoleBrowserTests.WatchedModel}:LatencyP95ThresholdMs"] = "0.001",
            },
        });
        Operator = NewClient(OperatorKey);
        Client = NewClient(ClientKey);
        await StackFixture.WaitUntilReadyAsync(Operator);

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox"], // Root (as in CI containers) cannot use chromium's sandbox.
        });
        Assertions.SetDefaultExpectTimeout(60_000);
    }

    /// <summary>A laptop-sized page on the console with <paramref name="key"/> entered (the operator's by default); dialogs are accepted.</summary>
    public async Task<IPage> OpenAsync(string hash, string key = OperatorKey)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 860 } });
        var page = await context.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GotoAsync(ConsoleUri + hash);
        await page.GetByLabel("Operator key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.Locator("main[aria-busy='false']").WaitForAsync();
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), Animations = ScreenshotAnimations.Disabled });
    }

    public async Task UploadAsync(string container, string name, string content)
    {
        var client = new BlobContainerClient(ConnectionString, container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(Encoding.UTF8.GetBytes(content)), overwrite: true);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        Operator?.Dispose();
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

    private HttpClient NewClient(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Host.BaseAddress, Host.RoutePrefix + "/"), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("x-functions-key", key);
        return client;
    }
}
