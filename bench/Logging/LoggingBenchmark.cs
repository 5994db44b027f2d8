using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Bench.Tabular;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Bench.Logging;

/// <summary>
/// Serving throughput with inference logging on vs off: two runners in this process on one Azurite (in memory), one
/// with <c>InferenceLog:Enabled=false</c>, one with the defaults (every request logged, 1 s flush, 4 shards); the
/// tabular bench model with its manifest; the records API and OIP infer on one row at c=1 and c=16. Rounds alternate
/// off/on (ABBA) with the closed-loop load generator; after every "on" round the writer's backlog is drained before
/// the next round starts, so its writes never land in an "off" round (the drain time is reported). The records API is
/// also measured against a third runner logging a sample (<see cref="SampleRate"/>) of requests.
/// </summary>
public static class LoggingBenchmark
{
    public const int Rounds = 6;
    public const double SampleRate = 0.1;
    public static readonly TimeSpan RoundDuration = TimeSpan.FromSeconds(1.5);
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    public static readonly int[] Concurrencies = [1, 16];
    private const int MaxRequestsPerRound = 200_000;

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        Progress.Write("in-process serving path, logging off vs on (blocks built, then discarded)...");
        var inProcess = await InProcessLogging.RunAsync();
        Progress.Write("starting Azurite (in memory, free ports)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var off = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
            new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false" });
        await using var on = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString, new Dictionary<string, string?>());
        await using var sampled = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
            new Dictionary<string, string?> { ["InferenceLog:SampleRate"] = SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using (var setup = new HttpClient { BaseAddress = off.ApiBase, Timeout = TimeSpan.FromSeconds(60) })
        {
            await TabularRunnerSetup.RegisterAsync(setup);
        }
        foreach (var runner in new[] { on, sampled })
        {
            using var client = new HttpClient { BaseAddress = runner.ApiBase };
            await RunnerUnderTest.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
        }

        Progress.Write($"runners: logging off {off.ApiBase}, on {on.ApiBase}; {TabularBenchData.Model} registered with its manifest");
        var log = on.Services.GetRequiredService<InferenceLogger>();
        var sampledLog = sampled.Services.GetRequiredService<InferenceLogger>();
        var row = Enumerable.Range(0, TabularBenchData.Features).Select(i => (float)Math.Round(Math.Sin(i + 1), 4)).ToArray();
        var apis = new (string Name, Func<RunnerUnderTest, Uri> Uri, byte[] Body)[]
        {
            ("records predict", r => new Uri(r.ApiBase, $"models/{TabularBenchData.Model}/predict"), TabularBenchData.PredictBody(row)),
            ("OIP infer", r => r.InferUri(TabularBenchData.Model), TabularBenchData.InferBody(row)),
        };

        var results = new List<LoggingResult>();
        using var http = LoadGenerator.CreateClient(Concurrencies.Max());
        foreach (var api in apis)
        {
            var expected = await TabularRunnerSetup.ExpectedAsync(http, api.Uri(off), api.Body);
            var expectedOn = await TabularRunnerSetup.ExpectedAsync(http, api.Uri(on), api.Body);
            if (!expected.AsSpan().SequenceEqual(expectedOn))
            {
                throw new InvalidOperationException($"{api.Name}: the two runners answer differently");
            }

            var targets = new[]
            {
                new LoadTarget($"{api.Name}, logging off", http, api.Uri(off), api.Body, expected),
                new LoadTarget($"{api.Name}, logging on", http, api.Uri(on), api.Body, expected),
            };
            foreach (var concurrency in Concurrencies)
            {
                results.Add(await MeasureAsync(api.Name, targets, concurrency, log));
                Progress.Write(Describe(results[^1]));
            }

            if (api.Name == "records predict")
            {
                // Sampling is decided per request id; only the records API's ids vary here (the OIP body's id is fixed).
                var sampledTargets = new[] { targets[0], new LoadTarget($"{api.Name}, sample rate {SampleRate}", http, api.Uri(sampled), api.Body, expected) };
                foreach (var concurrency in Concurrencies)
                {
                    results.Add(await MeasureAsync($"{api.Name}, sample rate {SampleRate}", sampledTargets, concurrency, sampledLog));
                    Progress.Write(Describe(results[^1]));
                }
            }
        }

        var final = log.Counters;
        return LoggingReport.Render(results, inProcess, final,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version} · both runners, the load generator and " +
            $"Azurite (in memory) on this machine. {Rounds} rounds of {RoundDuration.TotalSeconds} s per side after {Warmup.TotalSeconds} s of warm-up each, " +
            "alternating off/on (ABBA); every response checked byte for byte; after each \"on\" round the log's backlog is drained before the next round.");
    }

    private static async Task<LoggingResult> MeasureAsync(string api, LoadTarget[] targets, int concurrency, InferenceLogger log)
    {
        foreach (var target in targets)
        {
            await RoundAsync(target, concurrency, Warmup);
        }

        await DrainAsync(log);
        var before = log.Counters;
        var rounds = new[] { new List<Measurement>(), new List<Measurement>() };
        var cpu = new MachineCpu[2];
        var maxDrain = 0.0;
        for (var round = 0; round < Rounds; round++)
        {
            var order = round % 2 == 0 ? new[] { 0, 1 } : [1, 0];
            foreach (var side in order)
            {
                var started = MachineCpu.Now();
                rounds[side].Add(await RoundAsync(targets[side], concurrency, RoundDuration));
                if (side == 1)
                {
                    maxDrain = Math.Max(maxDrain, await DrainAsync(log));
                }

                cpu[side] += MachineCpu.Now() - started;
            }
        }

        var after = log.Counters;
        return new LoggingResult(api, concurrency, LoggingSide.Pool(rounds[0], cpu[0]), LoggingSide.Pool(rounds[1], cpu[1]),
            after.Written - before.Written, after.Dropped - before.Dropped, after.Failed - before.Failed, maxDrain);
    }

    private static async Task<Measurement> RoundAsync(LoadTarget target, int concurrency, TimeSpan duration) =>
        (await LoadGenerator.RunInterleavedAsync([target], concurrency, new LoadSettings(TimeSpan.Zero, duration, MaxRequestsPerRound, 1)))[0];

    /// <summary>Waits until nothing is pending in the log; returns how long that took, in milliseconds.</summary>
    private static async Task<double> DrainAsync(InferenceLogger log)
    {
        var started = Stopwatch.GetTimestamp();
        while (log.Counters.Pending > 0)
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"the inference log did not drain: {log.Counters}");
            }

            await Task.Delay(5);
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static string Describe(LoggingResult r) =>
        $"{r.Api} c={r.Concurrency}: off {r.Off.RequestsPerSecond:F0} req/s (p50 {r.Off.P50Ms:F3} ms), on {r.On.RequestsPerSecond:F0} req/s " +
        $"(p50 {r.On.P50Ms:F3} ms), on/off {r.Ratio:F3}; written {r.Written}, dropped {r.Dropped}, failed {r.Failed}, max drain {r.MaxDrainMs:F0} ms";

}
