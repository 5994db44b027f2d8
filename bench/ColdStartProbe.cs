using System.Diagnostics;
using System.Net;
using Serverless.Local.Azurite;

namespace Serverless.Bench;

/// <summary>
/// Starts the local runner as a real process (<c>dotnet Serverless.Local.dll --port P --no-azurite --quiet</c>) on a
/// registry that already holds the aliased models, so its start-up warms them; measures process start → ready
/// (GET v2/health/ready == 200), the first infer request, the first infer on the other model, then the p50 of
/// sequential requests after a short warm-up. Kills the process (tree) after each run.
/// </summary>
public static class ColdStartProbe
{
    /// <summary>Requests 2..50 of the target are timed one by one (the warming curve).</summary>
    public const int FollowUpRequests = 49;

    /// <summary>After the steady run, this many requests each after <see cref="IdleGap"/> of silence: what waking a warm process costs.</summary>
    public const int IdleRequests = 5;

    public static readonly TimeSpan IdleGap = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    public static async Task<ColdStartResult> MeasureAsync(string runnerDll, string repositoryRoot, string storageConnectionString,
        (BenchModel Model, byte[] Expected) target, (BenchModel Model, byte[] Expected) other, int repetitions, int steadyRequests,
        Action<string> progress)
    {
        var runs = new List<ColdStartRun>();
        for (var i = 0; i < repetitions; i++)
        {
            var run = await MeasureOnceAsync(runnerDll, repositoryRoot, storageConnectionString, target, other, steadyRequests);
            progress($"cold start {target.Model.Name} #{i + 1}: ready after {run.StartupMs:F0} ms, first infer {run.FirstInferMs:F2} ms " +
                $"(then {other.Model.Name} first {run.OtherModelFirstInferMs:F2} ms, {target.Model.Name} #2 {run.FollowUpMs[0]:F2} ms, #10 {run.FollowUpMs[8]:F2} ms, #{run.FollowUpMs.Count + 1} {run.FollowUpMs[^1]:F2} ms), steady p50 {run.SteadyP50Ms:F3} ms, ratio {run.Ratio:F1}x");
            runs.Add(run);
        }

        return new ColdStartResult(target.Model.Name, other.Model.Name, runs);
    }

    public static async Task<ColdStartRun> MeasureOnceAsync(string runnerDll, string repositoryRoot, string storageConnectionString,
        (BenchModel Model, byte[] Expected) target, (BenchModel Model, byte[] Expected) other, int steadyRequests,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = AzuriteProcess.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { runnerDll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-azurite", "--quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AzureWebJobsStorage"] = storageConnectionString;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new OutputTail();
        var apiBase = new Uri($"http://127.0.0.1:{port}/api/");
        using var client = LoadGenerator.CreateClient(1);
        client.BaseAddress = apiBase;

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start 'dotnet' for the runner.");
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitUntilReadyAsync(client, process, output);
            var startupMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var atReady = Startup.ThreadCpu.Read(process.Id);

            var targetUri = new Uri(apiBase, $"v2/models/{target.Model.Name}/infer");
            var firstMs = await LoadGenerator.SendOnceAsync(client, targetUri, target.Model.Body, target.Expected);
            var afterFirst = Startup.ThreadCpu.Read(process.Id);
            var otherFirstMs = await LoadGenerator.SendOnceAsync(client, new Uri(apiBase, $"v2/models/{other.Model.Name}/infer"),
                other.Model.Body, other.Expected);
            var followUps = new double[FollowUpRequests];
            for (var i = 0; i < followUps.Length; i++)
            {
                followUps[i] = await LoadGenerator.SendOnceAsync(client, targetUri, target.Model.Body, target.Expected);
            }

            var afterFollowUps = Startup.ThreadCpu.Read(process.Id);
            var busy = $"during the first request: {afterFirst.Since(atReady)}; ready → #50: {afterFollowUps.Since(atReady)}";

            // Steady state: a short sequential warm-up (so tiered JIT settles), then the measured requests.
            var warmEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
            while (Stopwatch.GetTimestamp() < warmEnd)
            {
                await LoadGenerator.SendOnceAsync(client, targetUri, target.Model.Body, target.Expected);
            }

            var durations = new long[steadyRequests];
            var steadyStart = Stopwatch.GetTimestamp();
            for (var i = 0; i < steadyRequests; i++)
            {
                var begin = Stopwatch.GetTimestamp();
                await LoadGenerator.SendOnceAsync(client, targetUri, target.Model.Body, target.Expected);
                durations[i] = Stopwatch.GetTimestamp() - begin;
            }

            var steady = Measurement.FromTicks("steady", durations, Stopwatch.GetElapsedTime(steadyStart));
            var afterIdle = new double[IdleRequests];
            for (var i = 0; i < afterIdle.Length; i++)
            {
                await Task.Delay(IdleGap);
                afterIdle[i] = await LoadGenerator.SendOnceAsync(client, targetUri, target.Model.Body, target.Expected);
            }

            return new ColdStartRun(startupMs, firstMs, otherFirstMs, followUps, steady.P50Ms, output.ReadyAfterMs) { BusyThreads = busy, AfterIdleMs = afterIdle };
        }
        finally
        {
            await StopAsync(process);
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, Process process, OutputTail output)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The runner process exited with code {process.ExitCode} before it was ready:\n{output}");
            }

            try
            {
                using var response = await client.GetAsync("v2/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException)
            {
                // Not listening yet (a connection accepted while the listener starts can fail with a bare SocketException).
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The runner process was not ready within {ReadyTimeout.TotalSeconds} s:\n{output}");
            }

            await Task.Delay(5);
        }
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // Killed; the OS reaps it.
        }
    }
}
