using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Azurite;

namespace Serverless.IntegrationTests.LocalRunner;

/// <summary>
/// The runner as a terminal runs it: its own process group (as a shell's foreground job), starting its own Azurite,
/// then stopped the ways a person stops it. It must stop at once, in order, with nothing logged at error level, and
/// Azurite must never outlive it.
/// </summary>
public sealed partial class RunnerShutdownTests
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("INT", true)]
    [InlineData("TERM", false)]
    public async Task Signal_StopsRunnerAndItsAzuriteWithinSeconds_NothingLoggedAsAnError(string signal, bool wholeGroup)
    {
        await using var runner = await TerminalRunner.StartAsync();

        await Signal(signal, wholeGroup ? -runner.ProcessId : runner.ProcessId);

        Assert.True(await runner.WaitForExitAsync(StopBound), $"the runner did not stop within {StopBound.TotalSeconds} s:\n{runner.Output}");
        Assert.Equal(0, runner.ExitCode);
        AssertNoErrors(runner.Output);
        Assert.Contains("Stopping", runner.Output);
        Assert.True(await ExitsAsync(runner.AzuriteProcessId, StopBound), "Azurite outlived the runner");
    }

    [Fact]
    public async Task AzuriteKilledFirst_OneLineSaysSo_ThenInterruptStopsCleanly()
    {
        await using var runner = await TerminalRunner.StartAsync();

        await Signal("KILL", runner.AzuriteProcessId);
        Assert.True(await runner.WaitForOutputAsync("Storage is unreachable", StopBound), "no line said storage went away:\n" + runner.Output);
        // A few more probe intervals and engine retries: the console must stay quiet.
        await Task.Delay(TimeSpan.FromSeconds(6));
        await Signal("INT", -runner.ProcessId);

        Assert.True(await runner.WaitForExitAsync(StopBound), $"the runner did not stop within {StopBound.TotalSeconds} s:\n{runner.Output}");
        Assert.Equal(1, Regex.Count(runner.Output, "Storage is unreachable"));
        Assert.Contains($"process {runner.AzuriteProcessId}", runner.Output);
        AssertNoErrors(runner.Output);
    }

    [Fact]
    public async Task RunnerKilled_AzuriteFollowsIt()
    {
        await using var runner = await TerminalRunner.StartAsync();

        await Signal("KILL", runner.ProcessId);

        Assert.True(await ExitsAsync(runner.AzuriteProcessId, StopBound), "Azurite outlived the killed runner");
    }

    [Fact]
    public async Task PortInUse_OneLineNamingThePort_ExitCode1()
    {
        using var holder = new TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;

        await using var runner = TerminalRunner.Launch(["--port", port.ToString(), "--no-azurite"]);

        Assert.True(await runner.WaitForExitAsync(StopBound), runner.Output);
        Assert.Equal(1, runner.ExitCode);
        Assert.Equal($"The local runner could not start: port {port} is already in use by another process (another runner?). Stop it, or start with --port N.", runner.Output.Trim());
    }

    [Fact]
    public async Task StorageUnreachableAtStart_OneLineSayingWhereAndWhatToDo_ExitCode1()
    {
        var port = AzuriteProcess.FreePort();

        await using var runner = TerminalRunner.Launch(["--port", "0", "--no-azurite", "--azurite-port", port.ToString()]);

        Assert.True(await runner.WaitForExitAsync(StopBound), runner.Output);
        Assert.Equal(1, runner.ExitCode);
        var line = Assert.Single(runner.Output.Trim().Split('\n'));
        Assert.Contains($"nothing answers at http://127.0.0.1:{port}", line);
        Assert.Contains("Start the storage emulator", line);
    }

    private static void AssertNoErrors(string output)
    {
        var bad = output.Split('\n').Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)
            || l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).ToList();
        Assert.True(bad.Count == 0, "error lines:\n" + string.Join('\n', bad) + "\n--- whole output ---\n" + output);
    }

    private static async Task Signal(string signal, int target)
    {
        var kill = new ProcessStartInfo("kill");
        kill.ArgumentList.Add("-" + signal);
        kill.ArgumentList.Add("--");
        kill.ArgumentList.Add(target.ToString());
        var result = await ProcessRun.RunAsync(kill, TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, $"kill -{signal} {target}: {result.Output}");
    }

    private static async Task<bool> ExitsAsync(int processId, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning(processId))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static bool IsRunning(int processId)
    {
        var stat = $"/proc/{processId}/stat";
        // A zombie (state Z) has exited and only waits to be reaped.
        return File.Exists(stat) && File.ReadAllText(stat).Split(' ').ElementAtOrDefault(2) != "Z";
    }

    /// <summary>The runner in a new session and process group (setsid), starting an in-memory Azurite on free ports.</summary>
    private sealed partial class TerminalRunner : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private TerminalRunner(Process process)
        {
            _process = process;
        }

        public int ProcessId => _process.Id;

        public int AzuriteProcessId { get; private set; }

        public int ExitCode => _process.ExitCode;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<TerminalRunner> StartAsync()
        {
            // The Azurite ports are picked free but not held: another test's process can take one before Azurite binds it,
            // and then Azurite exits at once. Only that is retried, with other ports.
            for (var attempt = 1; ; attempt++)
            {
                var runner = Launch(["--port", "0", "--quiet", "--azurite-in-memory", "--azurite-port", FreePortTriple().ToString()]);
                if (await runner.WaitForOutputAsync("Press Ctrl+C to stop.", TimeSpan.FromSeconds(120)))
                {
                    runner.AzuriteProcessId = int.Parse(AzuriteLine().Match(runner.Output).Groups[1].Value);
                    return runner;
                }

                await runner.DisposeAsync();
                if (attempt == 3 || !runner.Output.Contains("Azurite did not start listening", StringComparison.Ordinal))
                {
                    throw new TimeoutException("The runner did not start:\n" + runner.Output);
                }
            }
        }

        public static TerminalRunner Launch(IEnumerable<string> arguments)
        {
            // A terminal's foreground job gets Ctrl+C; a job a script started in the background inherits SIGINT ignored (POSIX),
            // and .NET keeps it so. The test plays the terminal, so the runner starts with SIGINT's default whoever ran the tests.
            var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("env");
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Serverless.Local.dll"));
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The development account, as a fresh clone has it: the runner must start its own Azurite.
            start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
            start.Environment["MonitoringSchedule"] = "0 0 0 1 1 *";
            var process = Process.Start(start)!;
            var runner = new TerminalRunner(process);
            process.OutputDataReceived += (_, e) => runner.Append(e.Data);
            process.ErrorDataReceived += (_, e) => runner.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return runner;
        }

        public async Task<bool> WaitForOutputAsync(string text, TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    return Output.Contains(text, StringComparison.Ordinal);
                }

                await Task.Delay(100);
            }

            return true;
        }

        public async Task<bool> WaitForExitAsync(TimeSpan limit)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(limit);
                _process.WaitForExit();
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            if (AzuriteProcessId != 0 && IsRunning(AzuriteProcessId))
            {
                try
                {
                    Process.GetProcessById(AzuriteProcessId).Kill();
                }
                catch (ArgumentException)
                {
                    // Gone meanwhile.
                }
            }

            _process.Dispose();
        }

        private static int FreePortTriple()
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var port = Random.Shared.Next(20_000, 32_000); // below Linux's ephemeral range, where outgoing connections take ports
                if (Enumerable.Range(port, 3).All(p => !AzuriteProcess.IsListening(p)))
                {
                    return port;
                }
            }

            throw new InvalidOperationException("No three free ports in a row.");
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        [GeneratedRegex(@"Azurite \S+ listening: .*process (\d+)\)")]
        private static partial Regex AzuriteLine();
    }
}
