using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Serverless.TestModels;

namespace Serverless.Bench.Features;

/// <summary>
/// Online feature lookups on the records API: a logistic regression over 21 features, 20 of them in a feature set (1,000 keys written),
/// asked with only the entity key and f0 (the runner looks the rest up in Azure Tables on Azurite) against the same prediction with the
/// full row sent to a twin model without feature sets. Two runners on one Azurite: a cold cache (FeatureStore:CacheSeconds 0, every
/// request reads the table) and a warm one (CacheSeconds 600, every key read once in the warm-up). One row per request, keys in turn,
/// c=1 and c=16, rounds alternating the two paths; medians of the rounds' p50 and throughput. Every answer checked equal to the
/// full-row answer for its key.
/// </summary>
public static class FeatureLookupBenchmark
{
    private const int Keys = 1_000;
    private const int SetFeatures = 20;
    private const int Rounds = 3;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1.5);

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        Progress.Write("starting Azurite (in memory, free ports) and two runners (cold and warm feature cache)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var cold = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
            new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false", ["FeatureStore:CacheSeconds"] = "0" });
        await using var warm = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
            new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false", ["FeatureStore:CacheSeconds"] = "600" });
        using var coldHttp = new HttpClient { BaseAddress = cold.ApiBase, Timeout = TimeSpan.FromSeconds(60) };
        using var warmHttp = new HttpClient { BaseAddress = warm.ApiBase, Timeout = TimeSpan.FromSeconds(60) };
        var values = await RegisterAsync(coldHttp);
        await RunnerUnderTest.WaitUntilReadyAsync(warmHttp, TimeSpan.FromSeconds(60));

        var expected = new string[Keys];
        for (var k = 0; k < Keys; k++)
        {
            expected[k] = Predictions(await PostAsync(coldHttp, "models/bench-full/versions/1/predict", FullRow(values[k])));
        }

        var page = new StringBuilder();
        page.AppendLine("# Online feature lookups").AppendLine();
        page.AppendLine(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores. Logistic regression over 21 features, {SetFeatures} from a feature set of {Keys} keys on Azurite (in memory); " +
            $"one row per request, keys in turn; {Rounds} rounds alternating key-only and full-row requests ({Warmup.TotalSeconds} s warm-up, {Budget.TotalSeconds} s each); medians of the rounds. Inference logging off.")
            .AppendLine();
        page.AppendLine("| cache | c | key only p50 µs | full row p50 µs | p50 ratio | key only req/s | full row req/s | throughput ratio |");
        page.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (cache, http) in new[] { ("cold (read every request)", coldHttp), ("warm (cached)", warmHttp) })
        {
            foreach (var concurrency in new[] { 1, 16 })
            {
                var lookup = new List<(double P50, double Rate)>();
                var full = new List<(double P50, double Rate)>();
                for (var round = 0; round < Rounds; round++)
                {
                    lookup.Add(await MeasureAsync(concurrency, k => CheckAsync(http, "models/bench-joined/versions/1/predict", KeyOnly(k, values[k]), expected[k])));
                    full.Add(await MeasureAsync(concurrency, k => CheckAsync(http, "models/bench-full/versions/1/predict", FullRow(values[k]), expected[k])));
                    Progress.Write($"{cache} c={concurrency} round {round + 1}: key only {lookup[^1].P50:F0} µs, full row {full[^1].P50:F0} µs");
                }

                var (lp, fp) = (Median(lookup.Select(l => l.P50)), Median(full.Select(f => f.P50)));
                var (lr, fr) = (Median(lookup.Select(l => l.Rate)), Median(full.Select(f => f.Rate)));
                page.AppendLine(CultureInfo.InvariantCulture, $"| {cache} | {concurrency} | {lp:F0} | {fp:F0} | **{lp / fp:F2}×** | {lr:F0} | {fr:F0} | {lr / fr:F2}× |");
            }
        }

        return page.ToString();
    }

    /// <summary>Declares the set, writes its keys, registers both models; returns each key's 21 values (f0 first).</summary>
    private static async Task<double[][]> RegisterAsync(HttpClient http)
    {
        var features = string.Join(",", Enumerable.Range(1, SetFeatures).Select(i => $$"""{"name": "f{{i}}", "type": "numeric"}"""));
        await PutJsonAsync(http, "feature-sets/bench-customers/versions/1", $$"""{"entity_keys": ["customer_id"], "features": [{{features}}], "ttl_seconds": 31536000}""");
        var random = new Random(7);
        var values = Enumerable.Range(0, Keys).Select(_ => Enumerable.Range(0, SetFeatures + 1).Select(_ => Math.Round(random.NextDouble() * 4 - 2, 3)).ToArray()).ToArray();
        var time = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        foreach (var batch in Enumerable.Range(0, Keys).Chunk(500))
        {
            var rows = string.Join(",", batch.Select(k =>
                $$"""{"customer_id": "c{{k}}", "event_time": "{{time}}", {{string.Join(", ", Enumerable.Range(1, SetFeatures).Select(i => $"\"f{i}\": {Number(values[k][i])}"))}}}"""));
            await PostJsonAsync(http, "feature-sets/bench-customers/versions/1/rows", $$"""{"rows": [{{rows}}]}""");
        }

        var model = ReferenceModels.LogisticRegression(features: SetFeatures + 1);
        var plain = ReferenceManifests.LogisticRegression(features: SetFeatures + 1);
        var joined = JsonNode.Parse(plain)!.AsObject();
        joined["feature_sets"] = JsonNode.Parse($$"""[{"name": "bench-customers", "version": "1", "features": [{{string.Join(",", Enumerable.Range(1, SetFeatures).Select(i => $"\"f{i}\""))}}]}]""");
        foreach (var (name, manifest) in new[] { ("bench-full", plain), ("bench-joined", joined.ToJsonString()) })
        {
            using var content = new ByteArrayContent(model);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            await EnsureAsync(await http.PutAsync($"models/{name}/versions/1", content));
            await PutJsonAsync(http, $"models/{name}/versions/1/manifest", manifest);
        }

        await RunnerUnderTest.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(60));
        return values;
    }

    private static async Task<(double P50, double Rate)> MeasureAsync(int concurrency, Func<int, Task> call)
    {
        var next = -1;
        var samples = new List<double>[concurrency];
        async Task LoopAsync(int worker, TimeSpan duration, bool record)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                var key = (int)((uint)Interlocked.Increment(ref next) % Keys);
                var started = Stopwatch.GetTimestamp();
                await call(key);
                if (record)
                {
                    samples[worker].Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }
        }

        for (var w = 0; w < concurrency; w++)
        {
            samples[w] = [];
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => LoopAsync(w, Warmup, record: false)));
        var measured = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => LoopAsync(w, Budget, record: true)));
        var all = samples.SelectMany(s => s).ToList();
        return (Median(all), all.Count / measured.Elapsed.TotalSeconds);
    }

    private static async Task CheckAsync(HttpClient http, string path, byte[] body, string expected)
    {
        var answer = Predictions(await PostAsync(http, path, body));
        if (answer != expected)
        {
            throw new InvalidOperationException($"POST {path} answered {answer}, expected {expected}.");
        }
    }

    private static string Predictions(byte[] answer) => JsonNode.Parse(answer)!["predictions"]!.ToJsonString();

    private static byte[] KeyOnly(int key, double[] values) =>
        Encoding.UTF8.GetBytes($$"""{"instances": [{"f0": {{Number(values[0])}}, "customer_id": "c{{key}}"}]}""");

    private static byte[] FullRow(double[] values) =>
        Encoding.UTF8.GetBytes($$"""{"instances": [{{{string.Join(", ", values.Select((v, i) => $"\"f{i}\": {Number(v)}"))}}}]}""");

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static async Task<byte[]> PostAsync(HttpClient http, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(path, content);
        var answer = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? answer : throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)}");
    }

    private static Task PostJsonAsync(HttpClient http, string path, string json) => PostAsync(http, path, Encoding.UTF8.GetBytes(json));

    private static async Task PutJsonAsync(HttpClient http, string path, string json) =>
        await EnsureAsync(await http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json")));

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
