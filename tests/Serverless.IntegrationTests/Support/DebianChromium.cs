using System.Diagnostics;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// Debian's chromium, for the console's browser tests: Playwright drives it (never a browser of its own download),
/// installed through apt when missing (<see cref="DebianPackages"/>; the test fails naming the package where it cannot be).
/// </summary>
public static class DebianChromium
{
    public const string DebianPackage = "chromium";

    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The browser's path, once it runs here.</summary>
    public static async Task<string> ExecutableAsync()
    {
        await DebianPackages.EnsureAsync(DebianPackage, RunsAsync);
        return ExecutablePath;
    }

    private static async Task<bool> RunsAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            return false;
        }

        var start = new ProcessStartInfo(ExecutablePath);
        start.ArgumentList.Add("--version");
        try
        {
            return (await ProcessRun.RunAsync(start, TimeSpan.FromMinutes(1))).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
