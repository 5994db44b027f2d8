using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// Installs a Debian package a test needs through apt (as the project's set-up promises), once per process. Where apt is
/// not available, or the install fails, the test fails with the package's name: never skipped.
/// </summary>
public static class DebianPackages
{
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Installs = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim Apt = new(1, 1);
    private static bool s_updated;

    /// <summary>Ensures <paramref name="isPresent"/> holds, installing <paramref name="package"/> when it does not.</summary>
    public static Task EnsureAsync(string package, Func<Task<bool>> isPresent) =>
        Installs.GetOrAdd(package, name => new Lazy<Task>(() => InstallAsync(name, isPresent))).Value;

    private static async Task InstallAsync(string package, Func<Task<bool>> isPresent)
    {
        if (await isPresent())
        {
            return;
        }

        if (!File.Exists("/usr/bin/apt-get"))
        {
            throw new InvalidOperationException($"This test needs the Debian package '{package}' and apt-get is not available here: install {package} (or its equivalent) and run the tests again.");
        }

        await Apt.WaitAsync();
        try
        {
            if (!s_updated)
            {
                await RunAptAsync(package, "update", "-qq");
                s_updated = true;
            }

            await RunAptAsync(package, "install", "-y", "-qq", "--no-install-recommends", package);
        }
        finally
        {
            Apt.Release();
        }

        if (!await isPresent())
        {
            throw new InvalidOperationException($"Installed the Debian package '{package}', but what the test needs from it is still missing.");
        }
    }

    private static async Task RunAptAsync(string package, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/apt-get") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var result = await ProcessRun.RunAsync(start, TimeSpan.FromMinutes(10));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"This test needs the Debian package '{package}', and 'apt-get {string.Join(' ', arguments)}' failed with exit code {result.ExitCode} (root is needed to install): {Tail(result.Output)}");
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
