namespace Serverless.Local.Hosting;

/// <summary>How to run the function app locally; command-line flags and settings map onto these.</summary>
public sealed record LocalRunnerOptions
{
    /// <summary>Port for HTTP functions (Core Tools' default is 7071); 0 picks a free one.</summary>
    public int Port { get; init; } = 7071;

    /// <summary>
    /// Require keys as Azure does: client routes (Function level) take the function key or the master key, operator
    /// routes (Admin level) only the master key. Off, the runner accepts only loopback callers and same-origin writes.
    /// </summary>
    public bool RequireKeys { get; init; }

    /// <summary>The client key (a function key) to accept; a random one is generated (and printed) when null.</summary>
    public string? FunctionKey { get; init; }

    /// <summary>The operator key (the master key) to accept; a random one is generated (and printed) when null.</summary>
    public string? MasterKey { get; init; }

    /// <summary>Start Azurite when storage is the development account and nothing listens on its ports.</summary>
    public bool StartAzurite { get; init; } = true;

    /// <summary>The Azurite this runner starts listens on this port (blob), the next (queue) and the one after (table).</summary>
    public int AzuritePort { get; init; } = DefaultAzuritePort;

    public const int DefaultAzuritePort = 10000;

    /// <summary>The Azurite this runner starts keeps its data in memory (gone when it stops) instead of in .local/azurite-data.</summary>
    public bool AzuriteInMemory { get; init; }

    /// <summary>How long requests in flight may run on after a stop is asked; then the runner stops anyway.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Debug-level logging and whole exceptions (type, message, stack trace) on the console.</summary>
    public bool Verbose { get; init; }

    /// <summary>Log each request (method, path, status, milliseconds).</summary>
    public bool LogRequests { get; init; } = true;

    /// <summary>Settings that override local.settings.json and the environment (tests use this).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The repository root (for local.settings.json and .local/); found from the working folder when null.</summary>
    public string? RepositoryRoot { get; init; }

    public static LocalRunnerOptions FromArgs(string[] args)
    {
        var options = new LocalRunnerOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--port" when i + 1 < args.Length => options with { Port = ParsePort("--port", args[++i], allowZero: true) },
                "--azurite-port" when i + 1 < args.Length => options with { AzuritePort = ParsePort("--azurite-port", args[++i], allowZero: false, headroom: 2) },
                "--azurite-in-memory" => options with { AzuriteInMemory = true },
                "--verbose" => options with { Verbose = true },
                "--require-keys" => options with { RequireKeys = true },
                "--function-key" when i + 1 < args.Length => options with { FunctionKey = args[++i], RequireKeys = true },
                "--master-key" when i + 1 < args.Length => options with { MasterKey = args[++i], RequireKeys = true },
                "--no-azurite" => options with { StartAzurite = false },
                "--quiet" => options with { LogRequests = false },
                "--help" or "-h" => throw new ArgumentException(Usage),
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}"),
            };
        }

        return options;
    }

    public const string Usage =
        "Usage: dotnet run --project local [-- [--port 7071] [--require-keys] [--function-key KEY] [--master-key KEY] [--no-azurite] [--azurite-port 10000] [--azurite-in-memory] [--quiet] [--verbose]]";

    private static int ParsePort(string option, string text, bool allowZero, int headroom = 0) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
        && port >= (allowZero ? 0 : 1) && port + headroom <= 65535
            ? port
            : throw new ArgumentException($"{option} must be a port number from {(allowZero ? 0 : 1)} to {65535 - headroom}, not '{text}'.\n{Usage}");
}
