using System.Diagnostics;

namespace Serverless.Bench.Startup;

/// <summary>Publishes the local runner (<c>dotnet publish local -c Release</c>) as a variant asks, into its own folder.</summary>
public static class RunnerPublisher
{
    /// <summary>Publishes and answers the runner's dll, the publish time (s) and the folder's size (MB).</summary>
    public static async Task<(string Dll, double Seconds, double SizeMb)> PublishAsync(string repositoryRoot, string outputRoot, StartupVariant variant)
    {
        var folder = Path.Combine(outputRoot, variant.Folder);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments = ["publish", Path.Combine(repositoryRoot, "local", "Serverless.Local.csproj"), "-c", "Release", "-o", folder, "--nologo", "-v", "q",
            .. variant.PublishArguments];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start 'dotnet publish'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var dll = Path.Combine(folder, "Serverless.Local.dll");
        if (process.ExitCode != 0 || !File.Exists(dll))
        {
            throw new InvalidOperationException($"'dotnet {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        var size = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) / 1e6;
        return (dll, seconds, size);
    }
}
