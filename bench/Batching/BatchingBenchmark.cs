using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Serverless.Bench.Tabular;

namespace Serverless.Bench.Batching;

/// <summary>
/// Dynamic batching on and off: one runner on Azurite (in memory), inference logging off, each model registered twice
/// under two names — plain, and batched (<c>Batching:Models:{name}:MaxBatchSize</c> 32, no queue delay) — and a third time
/// batched with a 500 µs queue delay. Unversioned OIP infer of one row at c=16 and c=64, the three targets alternating
/// round by round, every answer checked byte for byte (batching must not change a single number).
/// </summary>
public static class BatchingBenchmark
{
    public const int Rounds = 6;
    public const int MaxBatchSize = 32;
    public const int DelayMicroseconds = 500;
    public static readonly TimeSpan RoundDuration = TimeSpan.FromSeconds(1.5);
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    public static readonly int[] Concurrencies = [16, 64];

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        var settings = new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false" };
        foreach (var model in BatchingModel.All)
        {
            settings[$"Batching:Models:{model.Name}-batched:MaxBatchSize"] = MaxBatchSize.ToString(CultureInfo.InvariantCulture);
            settings[$"Batching:Models:{model.Name}-delayed:MaxBatchSize"] = MaxBatchSize.ToString(CultureInfo.InvariantCulture);
            settings[$"Batching:Models:{model.Name}-delayed:MaxQueueDelayMicroseconds"] = DelayMicroseconds.ToString(CultureInfo.InvariantCulture);
        }

        Progress.Write("starting Azurite (in memory, free ports)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var runner = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString, settings);
        using (var setup = new HttpClient { BaseAddress = runner.ApiBase, Timeout = TimeSpan.FromSeconds(60) })
        {
            foreach (var model in BatchingModel.All)
            {
                foreach (var suffix in new[] { "", "-batched", "-delayed" })
                {
                    await RegisterAsync(setup, model.Name + suffix, model.Onnx);
                }
            }

            await RunnerUnderTest.WaitUntilReadyAsync(setup, TimeSpan.FromSeconds(60));
        }

        var results = new List<BatchingResult>();
        using var http = LoadGenerator.CreateClient(Concurrencies.Max());
        foreach (var model in BatchingModel.All)
        {
            var body = model.Body();
            var targets = new List<LoadTarget>();
            foreach (var (suffix, label) in new[] { ("", "off"), ("-batched", "on, no delay"), ("-delayed", $"on, {DelayMicroseconds} µs delay") })
            {
                var uri = runner.InferUri(model.Name + suffix);
                var expected = await TabularRunnerSetup.ExpectedAsync(http, uri, body);
                targets.Add(new LoadTarget($"{model.Name}, batching {label}", http, uri, body, expected));
            }

            foreach (var concurrency in Concurrencies)
            {
                var measured = await LoadGenerator.RunInterleavedAsync(targets, concurrency, new LoadSettings(Warmup, RoundDuration * Rounds, 2_000_000, Rounds));
                var result = new BatchingResult(model, concurrency, measured[0], measured[1], measured[2]);
                results.Add(result);
                Progress.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{model.Name} c={concurrency}: off {result.Off.RequestsPerSecond:F0} req/s p99 {result.Off.P99Ms:F2} ms; on {result.On.RequestsPerSecond:F0} req/s p99 {result.On.P99Ms:F2} ms; delayed {result.Delayed.RequestsPerSecond:F0} req/s p99 {result.Delayed.P99Ms:F2} ms"));
            }
        }

        return BatchingReport.Render(results,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version} · the runner, the load generator and " +
            $"Azurite (in memory) on this machine. {Rounds} rounds of {RoundDuration.TotalSeconds} s per target after {Warmup.TotalSeconds} s of warm-up each, " +
            "targets alternating round by round; every response checked byte for byte; inference logging off.");
    }

    private static async Task RegisterAsync(HttpClient client, string name, byte[] onnx)
    {
        using var content = new ByteArrayContent(onnx);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await TabularRunnerSetup.EnsureAsync(await client.PutAsync($"models/{name}/versions/1", content));
        await TabularRunnerSetup.EnsureAsync(await client.PutAsync($"models/{name}/aliases/production", new StringContent("""{"version":"1"}""", Encoding.UTF8, "application/json")));
    }
}

/// <summary>One model at one concurrency: batching off, on without delay, on with a queue delay.</summary>
public sealed record BatchingResult(BatchingModel Model, int Concurrency, Measurement Off, Measurement On, Measurement Delayed);
