using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>
/// Finds the built local runner (<c>Serverless.Local.dll</c> with its runtimeconfig and deps files) to start as a
/// real process: the runner project's own output for this configuration, then Release, then this bench's output
/// folder; builds <c>local</c> in Release when none is there.
/// </summary>
public static class RunnerBinary
{
    private const string DllName = "Serverless.Local.dll";

    public static async Task<string> LocateOrBuildAsync(string repositoryRoot, Action<string> progress)
    {
        var found = Candidates(repositoryRoot).FirstOrDefault(IsRunnable);
        if (found is not null)
        {
            return found;
        }

        progress("the runner is not built; running 'dotnet build local -c Release'...");
        var build = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", Path.Combine(repositoryRoot, "local", "Serverless.Local.csproj"), "-c", "Release", "--nologo", "-v", "q" })
        {
            build.ArgumentList.Add(argument);
        }

        using var process = Process.Start(build) ?? throw new InvalidOperationException("Could not start 'dotnet build'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        found = Candidates(repositoryRoot).FirstOrDefault(IsRunnable);
        return found ?? throw new InvalidOperationException(
            $"'dotnet build local -c Release' exited with {process.ExitCode} and left no runnable {DllName}:\n{await stdout}\n{await stderr}");
    }

    private static IEnumerable<string> Candidates(string repositoryRoot)
    {
        var benchOutput = AppContext.BaseDirectory;
        var targetFramework = new DirectoryInfo(benchOutput).Name;
        var configuration = benchOutput.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        yield return Path.Combine(repositoryRoot, "local", "bin", configuration, targetFramework, DllName);
        yield return Path.Combine(repositoryRoot, "local", "bin", "Release", targetFramework, DllName);
        yield return Path.Combine(benchOutput, DllName);
    }

    private static bool IsRunnable(string dll) =>
        File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")) && File.Exists(Path.ChangeExtension(dll, ".deps.json"));
}
