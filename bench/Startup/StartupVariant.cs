namespace Serverless.Bench.Startup;

/// <summary>
/// One way of publishing and starting the runner: a name, a folder name, the extra <c>dotnet publish</c> arguments and the
/// runtime settings of its process (<c>DOTNET_*</c> environment variables, which override the runtimeconfig's). Variants with
/// the same folder share one publish. <see cref="GivenDll"/>: a runner published elsewhere (such as an earlier commit's), started as it is.
/// </summary>
public sealed record StartupVariant(string Name, string Folder, IReadOnlyList<string> PublishArguments, IReadOnlyDictionary<string, string>? Environment = null,
    string? GivenDll = null)
{
    private static readonly string[] ReadyToRun = ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"];

    /// <summary>
    /// The default publish (JIT only), ReadyToRun as <c>dotnet publish</c> makes it (with the project's runtime settings), and
    /// ReadyToRun with each tiered-compilation knob turned the other way.
    /// </summary>
    public static IReadOnlyList<StartupVariant> All { get; } =
    [
        new("JIT (default publish)", "jit", ["-p:ReadyToRunOnPublish=false"]),
        new("ReadyToRun", "r2r", ReadyToRun),
        new("ReadyToRun, TieredPGO on", "r2r", ReadyToRun, new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "1" }),
        new("ReadyToRun, TieredPGO off", "r2r", ReadyToRun, new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" }),
        new("ReadyToRun, TieredCompilation off", "r2r", ReadyToRun, new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" }),
        new("ReadyToRun, QuickJitForLoops off", "r2r", ReadyToRun, new Dictionary<string, string> { ["DOTNET_TC_QuickJitForLoops"] = "0" }),
        new("ReadyToRun, call counting from the start", "r2r", ReadyToRun, new Dictionary<string, string> { ["DOTNET_TC_CallCountingDelayMs"] = "0" }),
    ];

    /// <summary>A runner already published at <paramref name="dll"/>, started with its own settings.</summary>
    public static StartupVariant Given(string dll) => new($"given: {Path.GetFileName(Path.GetDirectoryName(dll))}", "", [], null, dll);
}
