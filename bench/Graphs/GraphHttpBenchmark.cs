using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serverless.TestModels;

namespace Serverless.Bench.Graphs;

/// <summary>
/// Inference graphs over HTTP: the runner on Azurite (in memory, inference logging off) with the same members as
/// <see cref="GraphBenchmark"/> registered over its API, and the two graphs. One OIP request to the graph against one OIP request
/// per member made one after another by the client (for the sequence, the featurizer's answer parsed and sent on as the scorer's
/// request, as a caller chaining them must). One row, c=1, rounds alternating the two paths; medians of the rounds' p50.
/// </summary>
public static class GraphHttpBenchmark
{
    private const int Rounds = 5;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1.5);

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        Progress.Write("starting Azurite (in memory, free ports) and the runner for graphs over HTTP...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var runner = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
            new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false" });
        using var http = new HttpClient { BaseAddress = runner.ApiBase, Timeout = TimeSpan.FromSeconds(60) };
        await RegisterAsync(http);

        var body = Request(64, 1);
        var cases = new (string Name, Func<Task> Graph, Func<Task> Members)[]
        {
            ("two-model sequence", () => PostAsync(http, "v2/models/bench-sequence/infer", body),
                async () => await PostAsync(http, "v2/models/score/infer", AsScoreRequest(await PostAsync(http, "v2/models/featurize/infer", body)))),
            ("three-model ensemble (mean)", () => PostAsync(http, "v2/models/bench-ensemble/infer", body),
                async () =>
                {
                    await PostAsync(http, "v2/models/m1/infer", body);
                    await PostAsync(http, "v2/models/m2/infer", body);
                    await PostAsync(http, "v2/models/m3/infer", body);
                }),
        };

        var page = new StringBuilder();
        page.AppendLine().AppendLine("## Over HTTP").AppendLine();
        page.AppendLine(CultureInfo.InvariantCulture,
            $"The runner on Azurite (in memory), inference logging off, one row, c=1, {Rounds} rounds alternating the two paths ({Warmup.TotalSeconds} s warm-up, {Budget.TotalSeconds} s each); medians of the rounds' p50. Members: one OIP request per member, one after another (the sequence's second request built from the first's answer).")
            .AppendLine();
        page.AppendLine("| graph | graph over HTTP p50 µs | one request per member p50 µs | graph vs members |");
        page.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, graph, members) in cases)
        {
            var g = new List<double>();
            var m = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                g.Add(await P50MicrosecondsAsync(graph));
                m.Add(await P50MicrosecondsAsync(members));
                Progress.Write($"{name} over HTTP round {round + 1}: graph {g[^1]:F0} µs, members {m[^1]:F0} µs");
            }

            var (gm, mm) = (Median(g), Median(m));
            page.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {gm:F0} | {mm:F0} | **{gm / mm:F2}×** |");
        }

        return page.ToString();
    }

    private static async Task RegisterAsync(HttpClient http)
    {
        var models = new Dictionary<string, byte[]>
        {
            ["featurize"] = ReferenceModels.Mlp(inputs: 64, hidden1: 256, hidden2: 256, outputs: 64, seed: 1),
            ["score"] = ReferenceModels.Mlp(inputs: 64, hidden1: 256, hidden2: 256, outputs: 1, seed: 2),
            ["m1"] = ReferenceModels.Mlp(seed: 3),
            ["m2"] = ReferenceModels.Mlp(seed: 4),
            ["m3"] = ReferenceModels.Mlp(seed: 5),
        };
        foreach (var (name, onnx) in models)
        {
            using var content = new ByteArrayContent(onnx);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            await EnsureAsync(await http.PutAsync($"models/{name}/versions/1", content));
        }

        await PutJsonAsync(http, "graphs/bench-sequence/versions/1", """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}],
             "root": {"name": "seq", "kind": "sequence", "steps": [{"name": "f", "model": "featurize@1"}, {"name": "s", "model": "score@1", "inputs": {"input": "f.output"}}]}}
            """);
        await PutJsonAsync(http, "graphs/bench-ensemble/versions/1", """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}],
             "root": {"name": "avg", "kind": "ensemble", "combine": "mean", "steps": [{"name": "a", "model": "m1@1"}, {"name": "b", "model": "m2@1"}, {"name": "c", "model": "m3@1"}]}}
            """);
        foreach (var name in models.Keys.Concat(["bench-sequence", "bench-ensemble"]))
        {
            await PutJsonAsync(http, $"models/{name}/aliases/production", """{"version": "1"}""");
        }

        await RunnerUnderTest.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(60));
    }

    private static async Task<double> P50MicrosecondsAsync(Func<Task> call)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < Warmup)
        {
            await call();
        }

        var samples = new List<double>();
        var budget = Stopwatch.StartNew();
        while (budget.Elapsed < Budget)
        {
            var started = Stopwatch.GetTimestamp();
            await call();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return Median(samples);
    }

    private static async Task<byte[]> PostAsync(HttpClient http, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(path, content);
        var answer = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? answer : throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)}");
    }

    private static byte[] AsScoreRequest(byte[] featurized)
    {
        using var answer = JsonDocument.Parse(featurized);
        var data = answer.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetRawText());
        return Encoding.UTF8.GetBytes($$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,64],"data":[{{string.Join(",", data)}}]}]}""");
    }

    private static byte[] Request(int width, int seed)
    {
        var random = new Random(seed);
        var data = string.Join(",", Enumerable.Range(0, width).Select(_ => random.NextSingle().ToString("R", CultureInfo.InvariantCulture)));
        return Encoding.UTF8.GetBytes($$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,{{width}}],"data":[{{data}}]}]}""");
    }

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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
