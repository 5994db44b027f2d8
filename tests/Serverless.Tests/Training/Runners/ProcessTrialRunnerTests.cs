using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;

namespace Serverless.Tests.Training.Runners;

/// <summary>
/// Runs real child processes: tiny shell scripts standing in for the trainer (Unix only). The runner's bounded waits
/// (for a killed trainer to exit, for its last output) are on a clock that stands still, so a slow machine only makes
/// a test slower; <see cref="Deadline"/> guards against hangs alone.
/// </summary>
public sealed class ProcessTrialRunnerTests : IDisposable
{
    private const string SpecUri = "file:///sweeps/sweep-1/trial-1/spec.json";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("trial-runner-tests-").FullName;
    private readonly List<ProcessTrialRunner> _runners = [];

    public void Dispose()
    {
        foreach (var runner in _runners)
        {
            runner.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Trainer_ExitsZero_Succeeds()
    {
        var runner = CreateRunner(Script("ok.sh", "exit 0"));

        var execution = await runner.StartAsync(TrialSpecs.Create(), SpecUri, default);
        var status = await WaitForEndAsync(runner, execution);

        Assert.Equal("process", execution.Runner);
        Assert.Equal("trial-1", execution.TrialId);
        Assert.True(Guid.TryParse(execution.ExecutionId, out _));
        Assert.Equal(TrialState.Succeeded, status.State);
    }

    [Fact]
    public async Task Trainer_ExitsNonZero_FailsWithTheExitCodeAndTheTailOfStderr()
    {
        var runner = CreateRunner(Script("fail.sh", """echo "progress" ; echo "bad spec: $2" >&2 ; exit 3"""));

        var status = await WaitForEndAsync(runner, await runner.StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.Equal(TrialState.Failed, status.State);
        Assert.StartsWith("exit code 3: ", status.Message);
        Assert.Contains("bad spec: " + SpecUri, status.Message);
        Assert.DoesNotContain("progress", status.Message);
    }

    [Fact]
    public async Task Trainer_SaysWhyItFailed_FailsWithThatReasonAlone()
    {
        var runner = CreateRunner(Script("reason.sh", """echo "reading spec" >&2 ; echo "trial failed: Feature 'Score' is reserved." >&2 ; echo "cleanup" >&2 ; exit 1"""));

        var status = await WaitForEndAsync(runner, await runner.StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.Equal(TrialState.Failed, status.State);
        Assert.Equal("Feature 'Score' is reserved.", status.Message);
    }

    [Fact]
    public async Task Trainer_WritesMoreThanTheTail_KeepsTheLastCharacters()
    {
        var runner = CreateRunner(Script("noisy.sh", """i=0; while [ $i -lt 2000 ]; do echo "line $i" >&2; i=$((i+1)); done; echo "the end" >&2; exit 1"""));

        var status = await WaitForEndAsync(runner, await runner.StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.EndsWith("the end", status.Message);
        Assert.DoesNotContain("line 0\n", status.Message);
        Assert.InRange(status.Message!.Length, 1000, ProcessTrialRunner.TailChars + 100);
    }

    [Fact]
    public async Task Trainer_GetsTheSpecUriAndTheStorageAccountAndTheTrialId()
    {
        var output = Path.Combine(_folder, "seen.txt");
        var script = Script("env.sh", $"""
            printf '%s\n' "$1" "$2" "$AzureWebJobsStorage" "$AzureWebJobsStorage__clientId" "$AzureWebJobsStorage__credential" "$TRIAL_ID" "$TRIAL_SPEC_URI" > '{output}'
            """);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["AzureWebJobsStorage:clientId"] = "client-1",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
        }).Build();
        var runner = CreateRunner(script, configuration: configuration);

        var status = await WaitForEndAsync(runner, await runner.StartAsync(TrialSpecs.Create("trial-7"), SpecUri, default));

        Assert.Equal(TrialState.Succeeded, status.State);
        Assert.Equal(
            ["--spec", SpecUri, "UseDevelopmentStorage=true", "client-1", "managedidentity", "trial-7", SpecUri],
            await File.ReadAllLinesAsync(output));
    }

    [Fact]
    public async Task DllTrainer_RunsUnderTheDotnetHost()
    {
        var output = Path.Combine(_folder, "args.txt");
        var dotnet = Script("fake-dotnet.sh", $"""printf '%s\n' "$@" > '{output}'""");
        var trainer = Path.Combine(_folder, "Serverless.Trainer.dll");
        await File.WriteAllTextAsync(trainer, "not really an assembly");
        var runner = CreateRunner(trainer, o => o.DotnetPath = dotnet);

        var status = await WaitForEndAsync(runner, await runner.StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.Equal(TrialState.Succeeded, status.State);
        Assert.Equal([trainer, "--spec", SpecUri], await File.ReadAllLinesAsync(output));
    }

    [Fact]
    public async Task CancelAsync_RunningTrainer_KillsItsProcessTree()
    {
        var pidFile = Path.Combine(_folder, "pid.txt");
        var runner = CreateRunner(Script("slow.sh", $"""sleep 30 & echo $! > '{pidFile}' ; wait"""));
        var execution = await runner.StartAsync(TrialSpecs.Create(), SpecUri, default);
        var sleepPid = int.Parse(await WaitForFileAsync(pidFile));

        Assert.Equal(TrialState.Running, (await runner.GetStatusAsync(execution, default)).State);
        await runner.CancelAsync(execution, default);
        var status = await runner.GetStatusAsync(execution, default);

        Assert.Equal(TrialState.Failed, status.State);
        Assert.Contains("cancelled", status.Message);
        Assert.True(await ExitsAsync(sleepPid), "the trainer's child process outlived the cancel");
        await runner.CancelAsync(execution, default); // already ended: no error
    }

    [Fact]
    public async Task StartAsync_BeyondMaxConcurrentTrials_QueuesUntilASlotFrees()
    {
        var marker = Path.Combine(_folder, "ran.txt");
        var blocker = CreateRunner(Script("block.sh", $"""[ "$TRIAL_ID" = "first" ] && exec sleep 30 ; echo ran > '{marker}'"""), o => o.MaxConcurrentTrials = 1);

        var first = await blocker.StartAsync(TrialSpecs.Create("first"), SpecUri, default);
        var second = await blocker.StartAsync(TrialSpecs.Create("second"), SpecUri, default);
        await Task.Delay(50);

        Assert.Equal(TrialState.Running, (await blocker.GetStatusAsync(second, default)).State);
        Assert.False(File.Exists(marker), "the queued trial ran while the only slot was taken");
        await blocker.CancelAsync(first, default);
        Assert.Equal(TrialState.Succeeded, (await WaitForEndAsync(blocker, second)).State);
        Assert.True(File.Exists(marker));
    }

    [Fact]
    public async Task CancelAsync_QueuedTrial_EndsItWithoutRunningIt()
    {
        var runner = CreateRunner(Script("sleep.sh", "exec sleep 30"), o => o.MaxConcurrentTrials = 1);
        var first = await runner.StartAsync(TrialSpecs.Create("first"), SpecUri, default);
        var queued = await runner.StartAsync(TrialSpecs.Create("queued"), SpecUri, default);

        await runner.CancelAsync(queued, default);
        var status = await runner.GetStatusAsync(queued, default);

        Assert.Equal(TrialState.Failed, status.State);
        Assert.Contains("cancelled before it started", status.Message);
        Assert.Equal(TrialState.Running, (await runner.GetStatusAsync(first, default)).State);
    }

    [Fact]
    public async Task GetStatusAsync_UnknownExecution_FailsSayingTheProcessIsGone()
    {
        var runner = CreateRunner(Script("ok.sh", "exit 0"));

        var status = await runner.GetStatusAsync(new TrialExecution("process", Guid.NewGuid().ToString(), "trial-9"), default);
        await runner.CancelAsync(new TrialExecution("process", "nope", "trial-9"), default);

        Assert.Equal(TrialState.Failed, status.State);
        Assert.Contains("process of trial 'trial-9' is gone", status.Message);
        Assert.Contains("restarted", status.Message);
    }

    [Fact]
    public async Task StartAsync_TrainerPathDoesNotExist_ThrowsNamingTheSetting()
    {
        var runner = CreateRunner(Path.Combine(_folder, "missing.dll"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.Contains("Training:Process:TrainerPath", error.Message);
    }

    [Fact]
    public async Task Dispose_KillsRunningTrials()
    {
        var pidFile = Path.Combine(_folder, "pid.txt");
        var runner = CreateRunner(Script("slow.sh", $"""echo $$ > '{pidFile}' ; exec sleep 30"""));
        var execution = await runner.StartAsync(TrialSpecs.Create(), SpecUri, default);
        var pid = int.Parse(await WaitForFileAsync(pidFile));

        runner.Dispose();

        Assert.True(await ExitsAsync(pid), "the trainer outlived the runner");
        Assert.Equal(TrialState.Failed, (await WaitForEndAsync(runner, execution)).State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.StartAsync(TrialSpecs.Create(), SpecUri, default));
    }

    [Fact]
    public async Task TorchTrainer_PyScript_RunsWithThePythonPathAndReportsTheTorchKind()
    {
        var arguments = Path.Combine(_folder, "arguments.txt");
        var script = Path.Combine(_folder, "train.py");
        await File.WriteAllTextAsync(script, $"echo \"$@\" > '{arguments}'\n");
        var runner = CreateTorchRunner(script, "/bin/sh");

        var execution = await runner.StartAsync(TrialSpecs.Create(), SpecUri, default);
        var status = await WaitForEndAsync(runner, execution);

        Assert.Equal(TrialState.Succeeded, status.State);
        Assert.Equal(TrainingOptions.TorchProcessRunner, execution.Runner);
        Assert.Equal("--spec " + SpecUri, (await File.ReadAllTextAsync(arguments)).Trim());
    }

    [Fact]
    public async Task TorchTrainer_PythonMissing_FailsToStartNamingThePythonSettingAndTheDebianPackage()
    {
        var script = Path.Combine(_folder, "train.py");
        await File.WriteAllTextAsync(script, "print('never')\n");
        var runner = CreateTorchRunner(script, Path.Combine(_folder, "no-such-python3"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.Contains("Training:Torch:PythonPath", error.Message);
        Assert.Contains("python3-torch", error.Message);
    }

    [Fact]
    public async Task TorchTrainer_NoTrainerPath_FailsToStartNamingTheTorchSetting()
    {
        var runner = CreateTorchRunner(null, "/bin/sh");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.StartsWith("Training:Torch:TrainerPath is not set", error.Message);
    }

    private ProcessTrialRunner CreateTorchRunner(string? trainerPath, string pythonPath)
    {
        var options = new TrainingOptions { Torch = new TorchTrainerOptions { TrainerPath = trainerPath, PythonPath = pythonPath } };
        var runner = new ProcessTrialRunner(ProcessTrainer.Torch(options), new ConfigurationBuilder().Build(), NullLogger<ProcessTrialRunner>.Instance,
            new FakeTimeProvider());
        _runners.Add(runner);
        return runner;
    }

    private ProcessTrialRunner CreateRunner(string trainerPath, Action<ProcessRunnerOptions>? configure = null, IConfiguration? configuration = null)
    {
        var options = new TrainingOptions { Process = new ProcessRunnerOptions { TrainerPath = trainerPath } };
        configure?.Invoke(options.Process);
        var runner = new ProcessTrialRunner(Options.Create(options), configuration ?? new ConfigurationBuilder().Build(), NullLogger<ProcessTrialRunner>.Instance,
            new FakeTimeProvider());
        _runners.Add(runner);
        return runner;
    }

    private string Script(string name, string body)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("These tests run shell scripts.");
        }

        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task<TrialExecutionStatus> WaitForEndAsync(ITrialRunner runner, TrialExecution execution)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await runner.GetStatusAsync(execution, default);
            if (status.State != TrialState.Running || clock.Elapsed > Deadline)
            {
                return status;
            }

            await Task.Delay(20);
        }
    }

    private static async Task<string> WaitForFileAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            if (File.Exists(path) && (await File.ReadAllTextAsync(path)).Trim() is { Length: > 0 } text)
            {
                return text;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{path} was not written.");
    }

    /// <summary>The state letter in /proc/{pid}/stat, or null when the process is gone (it may vanish between checks).</summary>
    private static char? ProcessState(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(") ").ElementAtOrDefault(1)?.FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<bool> ExitsAsync(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            // Killed children of the test host are zombies until reaped; /proc/<pid>/stat state 'Z' counts as exited.
            if (ProcessState(pid) is null or 'Z')
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }
}
