using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Serverless.Bench.Tabular;

namespace Serverless.Bench.Routing;

/// <summary>
/// What a traffic split costs on the request path: one runner on Azurite (in memory), inference logging off so routing
/// is not diluted by the log's cost, the 10-feature logistic regression registered as versions 1 and 2 of two models —
/// <c>plain</c> (production alias on version 1), <c>split</c> (production alias split 90/10) and <c>mirrored</c> (version 1,
/// every request mirrored to version 2). Unversioned OIP infer and records predict, at c=1 and c=16, against the plain alias,
/// the split chosen at random, the split routed by an <c>x-routing-key</c> header cycling over 64 keys, and the mirrored alias
/// (its copies go through the queue on Azurite and are scored by the same runner, on the same two cores). Targets alternate round by round; every answer is checked byte for
/// byte against the version it may come from.
/// </summary>
public static class RoutingBenchmark
{
    public const int Rounds = 8;
    public const double TargetLoss = 0.03;
    public static readonly TimeSpan RoundDuration = TimeSpan.FromSeconds(1.5);
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    public static readonly int[] Concurrencies = [1, 16];
    private const string Plain = "plain";
    private const string Split = "split";
    private const string Mirrored = "mirrored";

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        Progress.Write("starting Azurite (in memory, free ports)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var runner = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
            new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false" });
        using (var setup = new HttpClient { BaseAddress = runner.ApiBase, Timeout = TimeSpan.FromSeconds(60) })
        {
            await RegisterAsync(setup, Plain, """{"version":"1"}""");
            await RegisterAsync(setup, Split, """{"traffic":{"1":90,"2":10}}""");
            await RegisterAsync(setup, Mirrored, """{"version":"1","mirror":{"version":"2","percent":100}}""");
            await RunnerUnderTest.WaitUntilReadyAsync(setup, TimeSpan.FromSeconds(60));
        }

        Progress.Write($"runner {runner.ApiBase}: '{Plain}' on version 1, '{Split}' 90/10 over versions 1 and 2");
        var row = Enumerable.Range(0, TabularBenchData.Features).Select(i => (float)Math.Round(Math.Sin(i + 1), 4)).ToArray();
        var keys = Enumerable.Range(0, 64).Select(i => $"user-{i}").ToArray();
        var apis = new (string Name, Func<string, string?, Uri> Uri, byte[] Body)[]
        {
            ("OIP infer", (model, version) => new Uri(runner.ApiBase, version is null ? $"v2/models/{model}/infer" : $"v2/models/{model}/versions/{version}/infer"),
                TabularBenchData.InferBody(row)),
            ("records predict", (model, version) => new Uri(runner.ApiBase, version is null ? $"models/{model}/predict" : $"models/{model}/versions/{version}/predict"),
                TabularBenchData.PredictBody(row)),
        };

        var results = new List<RoutingResult>();
        using var http = LoadGenerator.CreateClient(Concurrencies.Max());
        foreach (var api in apis)
        {
            var plain = await TabularRunnerSetup.ExpectedAsync(http, api.Uri(Plain, null), api.Body);
            var split1 = await TabularRunnerSetup.ExpectedAsync(http, api.Uri(Split, "1"), api.Body);
            var split2 = await TabularRunnerSetup.ExpectedAsync(http, api.Uri(Split, "2"), api.Body);
            var mirrored = await TabularRunnerSetup.ExpectedAsync(http, api.Uri(Mirrored, null), api.Body);
            var targets = new[]
            {
                new LoadTarget($"{api.Name}, plain alias", http, api.Uri(Plain, null), api.Body, plain),
                new LoadTarget($"{api.Name}, 90/10 split, random", http, api.Uri(Split, null), api.Body, split1, [split2]),
                new LoadTarget($"{api.Name}, 90/10 split, routing key", http, api.Uri(Split, null), api.Body, split1, [split2], "x-routing-key", keys),
                new LoadTarget($"{api.Name}, 100 % mirror", http, api.Uri(Mirrored, null), api.Body, mirrored),
            };
            foreach (var concurrency in Concurrencies)
            {
                var measured = await LoadGenerator.RunInterleavedAsync(targets, concurrency,
                    new LoadSettings(Warmup, RoundDuration * Rounds, 1_000_000, Rounds));
                var result = new RoutingResult(api.Name, concurrency, measured[0], measured[1], measured[2], measured[3]);
                results.Add(result);
                Progress.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{api.Name} c={concurrency}: plain {result.Plain.RequestsPerSecond:F0} req/s, random {result.RandomRatio:F3}x, keyed {result.KeyedRatio:F3}x, mirrored {result.MirroredRatio:F3}x (p50 {result.Mirrored.P50Ms:F3} ms)"));
            }
        }

        return RoutingReport.Render(results,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version} · the runner, the load generator and " +
            $"Azurite (in memory) on this machine. {Rounds} rounds of {RoundDuration.TotalSeconds} s per target after {Warmup.TotalSeconds} s of warm-up each, " +
            "targets alternating round by round; every response checked byte for byte; inference logging off.");
    }

    private static async Task RegisterAsync(HttpClient client, string model, string alias)
    {
        foreach (var version in new[] { "1", "2" })
        {
            using var onnx = new ByteArrayContent(TabularBenchData.Onnx);
            onnx.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            await TabularRunnerSetup.EnsureAsync(await client.PutAsync($"models/{model}/versions/{version}", onnx));
            await TabularRunnerSetup.EnsureAsync(await client.PutAsync($"models/{model}/versions/{version}/manifest",
                new StringContent(TabularBenchData.Manifest, Encoding.UTF8, "application/json")));
        }

        await TabularRunnerSetup.EnsureAsync(await client.PutAsync($"models/{model}/aliases/production", new StringContent(alias, Encoding.UTF8, "application/json")));
    }
}
