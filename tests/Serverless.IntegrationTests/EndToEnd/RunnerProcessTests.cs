using System.Diagnostics;
using System.Text;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Azurite;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>The runner as a developer starts it: its own process, its banner, Ctrl+C.</summary>
[Collection(StackCollection.Name)]
public sealed class RunnerProcessTests
{
    private readonly StackFixture _stack;

    public RunnerProcessTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task RunnerProcess_PrintsRoutesServesAndStopsCleanlyOnCtrlC()
    {
        var port = AzuriteProcess.FreePort();
        // Started from a shell's background job, this process ignores SIGINT and so would the runner: reset it for the runner.
        var sigintIgnored = SigintIgnoredHere();
        var start = new ProcessStartInfo(sigintIgnored ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["AzureWebJobsStorage"] = _stack.ConnectionString,
                ["Registry__ContainerName"] = _stack.ContainerName,
                ["Registry__TableName"] = _stack.TableName,
            },
        };
        string[] prefix = sigintIgnored ? ["--default-signal=INT", "dotnet"] : [];
        foreach (var argument in prefix.Concat([Path.Combine(AppContext.BaseDirectory, "Serverless.Local.dll"), "--port", port.ToString(), "--no-azurite", "--quiet"]))
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/api/") };
            await WaitForAsync(async () => (await client.GetAsync("v2/health/ready")).IsSuccessStatusCode, output);
            var models = await client.GetJsonAsync("models");

            using (var kill = Process.Start("kill", ["-s", "INT", process.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            var exited = process.WaitForExit(TimeSpan.FromSeconds(90));
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(); // also waits for the last output lines
            string log;
            lock (output)
            {
                log = output.ToString();
            }

            Assert.Equal(System.Net.HttpStatusCode.OK, models.Status);
            Assert.Contains($"Infer: [POST] http://localhost:{port}/api/v2/models/{{name}}/infer", log);
            Assert.True(exited, "the runner did not stop by itself after Ctrl+C (waited 90 s, past the host's 30 s shutdown timeout):\n" + log);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopping", log);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Whether SIGINT (signal 2, bit 1 of SigIgn in /proc/self/status on Linux) is ignored in this process; children inherit that.</summary>
    private static bool SigintIgnoredHere()
    {
        const string field = "SigIgn:";
        var line = OperatingSystem.IsLinux() ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) : null;
        return line is not null && (Convert.ToUInt64(line[field.Length..].Trim(), 16) & (1UL << 1)) != 0;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                lock (output)
                {
                    throw new TimeoutException("The runner did not become ready in 60 s:\n" + output);
                }
            }

            await Task.Delay(200);
        }
    }
}
