namespace Serverless.Bench.Startup;

/// <summary>One way of publishing the runner: a name, a folder name and the extra <c>dotnet publish</c> arguments.</summary>
public sealed record StartupVariant(string Name, string Folder, IReadOnlyList<string> PublishArguments)
{
    /// <summary>The default publish (JIT only), ReadyToRun, and ReadyToRun with dynamic PGO off.</summary>
    public static IReadOnlyList<StartupVariant> All { get; } =
    [
        new("JIT (default publish)", "jit", ["-p:ReadyToRunOnPublish=false"]),
        new("ReadyToRun", "r2r", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"]),
        new("ReadyToRun, TieredPGO off", "r2r-nopgo", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-p:TieredPGO=false"]),
    ];
}
