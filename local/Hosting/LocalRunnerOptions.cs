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
                "--port" when i + 1 < args.Length => options with { Port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
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
        "Usage: dotnet run --project local [-- [--port 7071] [--require-keys] [--function-key KEY] [--master-key KEY] [--no-azurite] [--quiet]]";
}
