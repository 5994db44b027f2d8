using System.Diagnostics;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Azurite;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Readme;

/// <summary>
/// The README as a new user follows it: every <c>```bash</c> block, in order, run by bash against the runner in its own
/// process (on Azurite), with PyTorch for the export example. A README example that breaks fails this test.
/// </summary>
public sealed class ReadmeWalkthroughTests : IAsyncLifetime
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("readme-").FullName;
    private AzuriteProcess? _azurite;
    private RunnerProcess? _runner;
    private string _pythonDirectory = "";

    public async Task InitializeAsync()
    {
        _pythonDirectory = await TorchPython.DirectoryAsync();
        _azurite = await StackFixture.StartAzuriteAsync();
        _runner = RunnerProcess.Start(AzuriteProcess.FreePort(), new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = _azurite.ConnectionString,
            // Once a year: the hourly timer must not run in the middle of the walk-through.
            ["MonitoringSchedule"] = "0 0 0 1 1 *",
        }, "--quiet");
        await _runner.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Readme_EveryCommandBlockInOrder_RunsAgainstTheRunner()
    {
        var script = ReadmeScript.Parse(ReadReadme());
        var cliDll = Path.Combine(AppContext.BaseDirectory, "Serverless.Cli.dll");
        var path = Path.Combine(_workDirectory, "readme.sh");
        await File.WriteAllTextAsync(path, script.ToBash($"http://localhost:{_runner!.Port}", cliDll));

        var start = new ProcessStartInfo("bash") { WorkingDirectory = _workDirectory };
        start.ArgumentList.Add(path);
        start.Environment["AzureWebJobsStorage"] = _azurite!.ConnectionString;
        // The CLI's commands name no URL (they default to http://localhost:7071); the runner here listens elsewhere.
        start.Environment["SERVERLESS_ENDPOINT"] = $"http://localhost:{_runner!.Port}";
        start.Environment["PATH"] = string.Join(':', new[] { _pythonDirectory, Environment.GetEnvironmentVariable("PATH") }.Where(p => !string.IsNullOrEmpty(p)));
        var result = await ProcessRun.RunAsync(start, TimeSpan.FromMinutes(8));

        Assert.True(result.ExitCode == 0,
            $"The README failed at the block after the last marker (exit code {result.ExitCode}):\n{Tail(result.Output)}\n--- runner ---\n{Tail(_runner.Output)}");
        Assert.Contains("::: README.md done", result.Output);
        Assert.DoesNotContain("\"runtime_status\":\"Failed\"", result.Output);
        Assert.DoesNotContain("\"runtime_status\":\"Running\"", result.Output);
        Assert.Contains("\"runtime_status\":\"Completed\"", result.Output);
        // The feedback right after the prediction finds it: the feedback call writes what the log writer holds first.
        Assert.Contains("\"matched\":1,", result.Output);
        Assert.Equal(1001, File.ReadAllLines(Path.Combine(_workDirectory, "predictions.csv")).Length);
        Assert.Contains("<html", await File.ReadAllTextAsync(Path.Combine(_workDirectory, "churn-report.html")));
    }

    public async Task DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Directory.Delete(_workDirectory, recursive: true);
    }

    internal static string ReadReadme() => File.ReadAllText(Path.Combine(RepositoryPaths.FindRoot(AppContext.BaseDirectory), "README.md"));

    private static string Tail(string text) => text.Length <= 12_000 ? text : text[^12_000..];
}
