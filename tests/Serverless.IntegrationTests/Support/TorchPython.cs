using System.Diagnostics;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// A python3 that imports PyTorch, for tests of the PyTorch path: the one on PATH when it has torch, else Debian's
/// (installing <c>python3-torch</c> through apt when missing; the test fails naming the package where it cannot).
/// </summary>
public static class TorchPython
{
    public const string DebianPackage = "python3-torch";

    /// <summary>The folder of a python3 that imports torch, to put first on a script's PATH.</summary>
    public static async Task<string> DirectoryAsync()
    {
        if (await HasTorchAsync("python3"))
        {
            return "";
        }

        await DebianPackages.EnsureAsync(DebianPackage, () => HasTorchAsync("/usr/bin/python3"));
        return "/usr/bin";
    }

    /// <summary>The python3 that imports torch, to run the torch trainer with (<c>Training:Torch:PythonPath</c>).</summary>
    public static async Task<string> ExecutableAsync() =>
        await DirectoryAsync() is { Length: > 0 } directory ? Path.Combine(directory, "python3") : "python3";

    private static async Task<bool> HasTorchAsync(string python)
    {
        var start = new ProcessStartInfo(python);
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import torch");
        try
        {
            return (await ProcessRun.RunAsync(start, TimeSpan.FromMinutes(2))).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
