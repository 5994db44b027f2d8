using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Monitoring;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Functions;
using Serverless.Local.Azurite;
using Serverless.Local.Catalog;
using Serverless.Local.Durable;
using Serverless.Local.Http;
using Serverless.Local.Timers;

namespace Serverless.Local.Hosting;

/// <summary>
/// The function app on one machine without Core Tools: the app's own services (the same
/// <c>AddFunctionApp</c> the Functions worker calls), its HTTP functions at their declared routes behind the
/// host.json route prefix, its timer functions on their schedules, and Azurite when storage is the
/// development account. Start, use <see cref="BaseAddress"/>, dispose to stop everything it started.
/// </summary>
public sealed class LocalFunctionHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AzuriteProcess? _azurite;

    private LocalFunctionHost(WebApplication app, AzuriteProcess? azurite, FunctionCatalog catalog, IReadOnlyList<HttpRoute> routes,
        string routePrefix, Uri baseAddress, FunctionKeys keys)
    {
        _app = app;
        _azurite = azurite;
        Catalog = catalog;
        Routes = routes;
        RoutePrefix = routePrefix;
        BaseAddress = baseAddress;
        Keys = keys;
    }

    public FunctionCatalog Catalog { get; }

    public IReadOnlyList<HttpRoute> Routes { get; }

    public string RoutePrefix { get; }

    public Uri BaseAddress { get; }

    public FunctionKeys Keys { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LocalFunctionHost> StartAsync(LocalRunnerOptions options, CancellationToken cancellationToken = default)
    {
        var root = options.RepositoryRoot ?? RepositoryPaths.FindRoot();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Serverless.Local",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [StorageAccount.SettingName] = "UseDevelopmentStorage=true",
                ["Training:Process:TrainerPath"] = RepositoryPaths.TrainerDll(root),
                // Trials here are child processes of a few seconds; Azure's default (2 s, for jobs of minutes) would dominate them.
                ["Training:PollIntervalSeconds"] = "1",
                [MonitoringOptions.ScheduleSetting] = MonitoringOptions.DefaultSchedule,
            })
            .AddInMemoryCollection(LocalSettings.Load(root))
            .AddEnvironmentVariables()
            .AddInMemoryCollection(options.Settings);
        builder.Logging.ClearProviders()
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Azure", LogLevel.Warning)
            .AddFilter("DurableTask", LogLevel.Warning);

        var azurite = await StartAzuriteIfNeededAsync(options, root, builder.Configuration, cancellationToken).ConfigureAwait(false);
        try
        {
            var catalog = FunctionCatalog.FromAssembly(typeof(FunctionAppServiceCollectionExtensions).Assembly);
            var host = options.Port == 0 ? "127.0.0.1" : "localhost";
            builder.WebHost.UseUrls($"http://{host}:{options.Port}");
            builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = null);
            builder.Services.AddFunctionApp(builder.Configuration);
            builder.Services.AddMvcCore();
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(catalog);
            builder.Services.AddHostedService<TimerFunctionScheduler>();
            builder.Services.AddLocalDurableTask(LocalSettings.DurableHubName(HostJsonPath(root)));

            var app = builder.Build();
            if (options.LogRequests)
            {
                app.UseMiddleware<RequestLoggingMiddleware>();
            }

            var keys = new FunctionKeys(options.RequireKeys, options.FunctionKey ?? FunctionKeys.NewKey(), options.MasterKey ?? FunctionKeys.NewKey());
            if (!keys.Required)
            {
                app.UseMiddleware<LoopbackOnlyMiddleware>();
            }

            var routePrefix = LocalSettings.RoutePrefix(HostJsonPath(root));
            var routes = app.MapHttpFunctions(catalog, routePrefix, keys);
            app.Services.GetRequiredService<ServingReadiness>().Register(HttpPipelineWarmer.Gate);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var baseAddress = new Uri(address.TrimEnd('/') + "/");
            _ = HttpPipelineWarmer.WarmAsync(app.Services, new Uri(baseAddress, routePrefix.Trim('/') + "/"), keys,
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Warmup"), app.Lifetime.ApplicationStopping);
            return new LocalFunctionHost(app, azurite, catalog, routes, routePrefix, baseAddress, keys);
        }
        catch
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Prints the functions and their URLs, as Core Tools does at start-up.</summary>
    public void WriteBanner(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("Functions:");
        output.WriteLine();
        foreach (var route in Routes)
        {
            output.WriteLine($"        {route.FunctionName}: {route.Describe(BaseAddress.ToString(), RoutePrefix)}");
        }

        foreach (var function in Catalog.Functions.Where(f => f.Kind != TriggerKind.Http))
        {
            output.WriteLine($"        {function.Name}: {function.Kind.ToString().ToLowerInvariant()}Trigger");
        }

        output.WriteLine();
        if (Keys.Required)
        {
            output.WriteLine("Keys are required, as in Azure (x-functions-key header or ?code=):");
            output.WriteLine($"        Client key (function key; inference, metadata, readiness): {Keys.FunctionKey}");
            output.WriteLine($"        Operator key (master key; also registry, rollouts, workflows, monitoring): {Keys.MasterKey}");
        }
        else
        {
            output.WriteLine("Keys are not required locally (start with --require-keys to enforce them); only loopback callers");
            output.WriteLine("and same-origin browser writes are accepted.");
        }

        output.WriteLine("Press Ctrl+C to stop.");
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            if (_azurite is not null)
            {
                await _azurite.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string HostJsonPath(string root)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "host.json");
        return File.Exists(beside) ? beside : Path.Combine(root, "host.json");
    }

    private static async Task<AzuriteProcess?> StartAzuriteIfNeededAsync(LocalRunnerOptions options, string root, IConfiguration configuration,
        CancellationToken cancellationToken)
    {
        var storage = configuration[StorageAccount.SettingName];
        var isDevelopmentStorage = storage?.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) == true;
        var defaults = new AzuriteOptions
        {
            InstallDirectory = Path.Combine(RepositoryPaths.LocalFolder(root), "azurite"),
            DataDirectory = Path.Combine(RepositoryPaths.LocalFolder(root), "azurite-data"),
        };
        if (!options.StartAzurite || !isDevelopmentStorage || AzuriteProcess.IsListening(defaults.BlobPort))
        {
            return null;
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
        return await AzuriteProcess.StartAsync(defaults, loggers.CreateLogger("Azurite"), cancellationToken).ConfigureAwait(false);
    }
}
