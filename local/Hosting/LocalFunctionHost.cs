using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Mirroring;
using Serverless.Core.Monitoring;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Functions;
using Serverless.Local.Azurite;
using Serverless.Local.Catalog;
using Serverless.Local.Console;
using Serverless.Local.Durable;
using Serverless.Local.Http;
using Serverless.Local.Queues;
using Serverless.Local.Timers;

namespace Serverless.Local.Hosting;

/// <summary>
/// The function app on one machine without Core Tools: the app's own services (the same
/// <c>AddFunctionApp</c> the Functions worker calls), its HTTP functions at their declared routes behind the
/// host.json route prefix, its timer functions on their schedules, its queue functions on their queues, and Azurite when storage is the
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
                ["Training:Torch:TrainerPath"] = RepositoryPaths.TorchTrainer(root),
                // Trials here are child processes of a few seconds; Azure's default (2 s, for jobs of minutes) would dominate them.
                ["Training:PollIntervalSeconds"] = "1",
                [MonitoringOptions.ScheduleSetting] = MonitoringOptions.DefaultSchedule,
                [MirrorOptions.QueueSetting] = MirrorOptions.DefaultQueueName,
            })
            .AddInMemoryCollection(LocalSettings.Load(root))
            .AddEnvironmentVariables()
            .AddInMemoryCollection(options.Settings);
        StorageReachability? storage = null;
        AddRunnerConsole(builder.Logging, options.Verbose, category => storage?.IsQuietCategory(category) == true);

        EnsurePortIsFree(options.Port);
        var azurite = await StartAzuriteIfNeededAsync(options, root, builder.Configuration, cancellationToken).ConfigureAwait(false);
        WebApplication? built = null;
        try
        {
            storage = StorageReachability.For(StorageAccount.FromConfiguration(builder.Configuration), StorageHint(builder.Configuration, azurite));
            var unreachable = await storage.UnreachableAsync(cancellationToken).ConfigureAwait(false);
            if (unreachable.Count > 0)
            {
                throw new InvalidOperationException(storage.Describe(unreachable));
            }

            builder.Services.AddSingleton(storage);
            builder.Services.AddHostedService<StorageWatch>();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace);
            var catalog = FunctionCatalog.FromAssembly(typeof(FunctionAppServiceCollectionExtensions).Assembly);
            var host = options.Port == 0 ? "127.0.0.1" : "localhost";
            builder.WebHost.UseUrls($"http://{host}:{options.Port}");
            builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = null);
            builder.Services.AddFunctionApp(builder.Configuration);
            builder.Services.AddMvcCore();
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(catalog);
            builder.Services.AddHostedService<TimerFunctionScheduler>();
            builder.Services.AddSingleton(QueueHostSettings.FromHostJson(HostJsonPath(root)));
            builder.Services.AddHostedService<QueueFunctionListener>();
            builder.Services.AddLocalDurableTask(LocalSettings.DurableHubName(HostJsonPath(root)));

            var app = built = builder.Build();
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
            var routes = app.MapHttpFunctions(catalog, routePrefix, keys, builder.Services);
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
            // In order, as on a normal stop: the app's services first (they may still use storage), then Azurite.
            if (built is not null)
            {
                await built.DisposeAsync().ConfigureAwait(false);
            }

            if (azurite is not null)
            {
                await azurite.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Says plainly, before anything starts, that the HTTP port is taken (Kestrel would fail later with a stack trace).</summary>
    private static void EnsurePortIsFree(int port)
    {
        if (port == 0)
        {
            return;
        }

        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            probe.Start();
            probe.Stop();
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException($"port {port} is already in use by another process (another runner?). Stop it, or start with --port N.", e);
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
        var azurite = new AzuriteOptions
        {
            InstallDirectory = Path.Combine(RepositoryPaths.LocalFolder(root), "azurite"),
            DataDirectory = options.AzuriteInMemory ? null : Path.Combine(RepositoryPaths.LocalFolder(root), "azurite-data"),
            BlobPort = options.AzuritePort,
            QueuePort = options.AzuritePort + 1,
            TablePort = options.AzuritePort + 2,
        };
        if (!isDevelopmentStorage)
        {
            return null;
        }

        if (options.AzuritePort != LocalRunnerOptions.DefaultAzuritePort)
        {
            // The development account's well-known key, on the ports asked for.
            configuration[StorageAccount.SettingName] = AzuriteProcess.ConnectionStringFor(azurite);
        }

        if (!options.StartAzurite || AzuriteProcess.IsListening(azurite.BlobPort))
        {
            return null;
        }

        using var loggers = LoggerFactory.Create(b => AddRunnerConsole(b, options.Verbose, _ => false));
        return await AzuriteProcess.StartAsync(azurite, loggers.CreateLogger("Azurite"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The runner's console: one line per event, exception detail only with --verbose, outage echoes kept quiet.</summary>
    private static void AddRunnerConsole(ILoggingBuilder logging, bool verbose, Func<string?, bool> quiet)
    {
        logging.ClearProviders()
            .AddConsole(o => o.FormatterName = RunnerConsoleFormatter.FormatterName)
            .AddConsoleFormatter<RunnerConsoleFormatter, RunnerConsoleFormatterOptions>(o => o.IncludeExceptionDetails = verbose)
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information)
            .AddFilter("Microsoft", verbose ? LogLevel.Information : LogLevel.Warning)
            // Writes nothing at Warning and above, yet while enabled makes ASP.NET Core start an Activity and a logging scope
            // for every request (about 0.6 KB allocated per request); a tracing listener, when configured, still gets its Activity.
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", verbose ? LogLevel.Information : LogLevel.None)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Azure", level => level >= LogLevel.Warning && (verbose || !quiet("Azure")))
            .AddFilter("DurableTask", level => level >= LogLevel.Warning && (verbose || !quiet("DurableTask")));
    }

    private static string StorageHint(IConfiguration configuration, AzuriteProcess? azurite)
    {
        if (azurite is not null)
        {
            return $"Azurite, which this runner started (process {azurite.ProcessId}), has stopped: stop the runner (Ctrl+C) and start it again.";
        }

        return configuration[StorageAccount.SettingName]?.Contains("devstoreaccount1", StringComparison.OrdinalIgnoreCase) == true
            || configuration[StorageAccount.SettingName]?.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) == true
            ? "Start the storage emulator (Azurite) again, or start the runner without --no-azurite so it starts its own."
            : $"Check '{StorageAccount.SettingName}' and that the account can be reached from this machine.";
    }
}
