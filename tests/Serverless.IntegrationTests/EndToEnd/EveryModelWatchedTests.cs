using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Every model watched, whatever door its traffic comes through, on a runner of its own (the shared storage, a webhook
/// on loopback, a reference window of seconds for one model and a strict latency threshold for another): shifted OIP traffic to a
/// tabular model is found drifted beside its /predict traffic and joined with its feedback; a model without a baseline
/// gets a service report, then drift judged against its own first traffic; an error burst and a slowdown each raise a
/// finding and a webhook alert.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class EveryModelWatchedTests
{
    /// <summary>Seconds of a version's first traffic that become its reference here (0.003 h).</summary>
    private const double ReferenceSeconds = 10.8;

    private readonly StackFixture _stack;

    public EveryModelWatchedTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task OipTraffic_ShiftedOnATabularModel_IsFoundDriftedBesidePredictTrafficAndJoinedWithFeedback()
    {
        var model = "oip-watched-" + Guid.NewGuid().ToString("N")[..6];
        using var webhook = new LoopbackServer(_ => (200, null));
        await using var runner = await StartAsync(webhook);
        var client = runner.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.LogisticRegression(features: 10))).Status);
        Assert.Equal(HttpStatusCode.Created, (await client.PutJsonAsync($"models/{model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 10))).Status);
        var baseline = await client.SendAsync(HttpMethod.Put, $"models/{model}/versions/1/baseline", new StringContent(Csv(300, seed: 1, shift: 0), Encoding.UTF8, "text/csv"));
        Assert.True(baseline.Status is HttpStatusCode.OK or HttpStatusCode.Created, baseline.Body.ToString());

        var random = new Random(2);
        for (var i = 0; i < 100; i++)
        {
            var calm = string.Join(",", Enumerable.Range(0, 10).Select(f => $"\"{ReferenceManifests.FeatureName(f)}\":{Number(Normal(random))}"));
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"models/{model}/predict", $$"""{"instances":[{{{calm}}}]}""")).Status);
            var shifted = string.Join(",", Enumerable.Range(0, 10).Select(_ => Number(3 + Normal(random))));
            var infer = await client.PostJsonAsync($"v2/models/{model}/infer",
                $$"""{"id":"oip-{{i}}","inputs":[{"name":"input","datatype":"FP32","shape":[1,10],"data":[{{shifted}}]}]}""");
            Assert.Equal(HttpStatusCode.OK, infer.Status);
        }

        var feedback = await client.PostJsonAsync($"models/{model}/feedback",
            "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"id":"oip-{{i}}","row":0,"actual":{{i % 2}}}""")) + "]");
        Assert.Equal(HttpStatusCode.Accepted, feedback.Status);
        Assert.Equal(100, feedback.Json.GetProperty("matched").GetInt32());

        var report = await MonitorUntilAsync(client, model, requests: 200);

        Assert.Equal(200, report.GetProperty("rows").GetInt64());
        Assert.True(report.GetProperty("drift").GetProperty("dataset_drift").GetBoolean(), report.GetProperty("drift").ToString());
        Assert.All(report.GetProperty("drift").GetProperty("features").EnumerateArray(), f => Assert.Equal(200, f.GetProperty("n_current").GetInt64()));
        Assert.Equal(("infer", 100L, "predict", 100L), ByApi(report, "data_drift"));
        Assert.Equal(100, Judged(report, "performance").GetProperty("by_api").GetProperty("infer").GetInt64());
        Assert.Equal(100, report.GetProperty("performance").GetProperty("labelled_rows").GetInt64());
        var apis = report.GetProperty("service").GetProperty("apis").EnumerateArray().ToDictionary(a => a.GetProperty("api").GetString()!, a => a.GetProperty("rows").GetInt64());
        Assert.Equal(100, apis["infer"]);
        Assert.Equal(100, apis["predict"]);
        Assert.Contains("data_drift", Kinds(report));
        var page = await client.GetAsync($"models/{model}/monitoring/reports/latest.html");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Rows judged", html);
        Assert.Contains("infer: 100", html);
    }

    [Fact]
    public async Task ModelWithoutABaseline_GetsAServiceReportThenDriftAgainstItsOwnFirstTraffic()
    {
        var model = "no-baseline-" + Guid.NewGuid().ToString("N")[..6];
        using var webhook = new LoopbackServer(_ => (200, null));
        await using var runner = await StartAsync(webhook, ("Monitoring:ReferenceWindowHours", (ReferenceSeconds / 3600).ToString("R", CultureInfo.InvariantCulture)));
        var client = runner.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.ImageIdentity())).Status);

        await SendImagesAsync(client, model, 40, mean: 0, seed: 3);
        var first = await MonitorUntilAsync(client, model, requests: 40);

        Assert.Equal("collecting", first.GetProperty("reference").GetProperty("kind").GetString());
        Assert.False(first.TryGetProperty("drift", out _));
        Assert.Equal(40, first.GetProperty("service").GetProperty("requests").GetInt64());
        Assert.Equal("infer", Assert.Single(first.GetProperty("service").GetProperty("apis").EnumerateArray()).GetProperty("api").GetString());
        Assert.Equal(40, first.GetProperty("outputs").GetProperty("values").GetProperty("count").GetInt64());
        var image = Assert.Single(first.GetProperty("inputs").EnumerateArray());
        Assert.Equal(40, image.GetProperty("shapes").GetProperty("[1,3,8,8]").GetInt64());
        Assert.Empty(Kinds(first));

        // Traffic after the reference window is judged against the window's traffic.
        var closes = first.GetProperty("reference").GetProperty("to_utc").GetDateTimeOffset();
        var wait = closes - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await SendImagesAsync(client, model, 40, mean: 2, seed: 4);
        var second = await MonitorUntilAsync(client, model, requests: 80, reference: "traffic");

        Assert.Equal(40, second.GetProperty("reference").GetProperty("rows").GetInt64());
        Assert.Equal(80, second.GetProperty("rows").GetInt64());
        Assert.Equal(40, Judged(second, "data_drift").GetProperty("rows").GetInt64());
        var drifted = second.GetProperty("drift").GetProperty("features").EnumerateArray()
            .Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Contains("image.mean", drifted);
        Assert.Contains("prediction_drift", Kinds(second));
        var stored = await client.GetJsonAsync($"models/{model}/versions/1/baseline");
        Assert.Equal(HttpStatusCode.OK, stored.Status);
        Assert.Contains("own traffic", stored.Json.GetProperty("source").GetString());
        Assert.Contains(webhook.Bodies, b => b.Contains(model) && b.Contains("prediction_drift"));
    }

    [Fact]
    public async Task ErrorBurst_RaisesAnErrorsFindingByStatusAndAWebhookAlert()
    {
        var model = "error-burst-" + Guid.NewGuid().ToString("N")[..6];
        using var webhook = new LoopbackServer(_ => (200, null));
        await using var runner = await StartAsync(webhook);
        var client = runner.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.LogisticRegression(features: 3))).Status);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"v2/models/{model}/infer", Infer3(i))).Status);
        }

        var calm = await MonitorUntilAsync(client, model, requests: 40);
        Assert.Empty(Kinds(calm));
        for (var i = 0; i < 20; i++)
        {
            var bad = await client.PostJsonAsync($"v2/models/{model}/infer", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""");
            Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        }

        var burst = await MonitorUntilAsync(client, model, requests: 60);

        Assert.Equal(20, burst.GetProperty("service").GetProperty("errors_by_status").GetProperty("400").GetInt64());
        var errors = burst.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("kind").GetString() == "errors");
        Assert.Contains("400: 20", errors.GetProperty("message").GetString());
        var alert = Assert.Single(webhook.Bodies, b => b.Contains(model));
        using var json = JsonDocument.Parse(alert);
        Assert.Equal("errors", json.RootElement.GetProperty("findings")[0].GetProperty("kind").GetString());
        Assert.Equal(20.0 / 60, json.RootElement.GetProperty("error_rate").GetDouble(), 9);
    }

    [Fact]
    public async Task Slowdown_RaisesALatencyFindingUnderTheModelsThresholdAndAWebhookAlert()
    {
        var model = "slowdown-" + Guid.NewGuid().ToString("N")[..6];
        using var webhook = new LoopbackServer(_ => (200, null));
        JsonElement calm;
        await using (var first = await StartAsync(webhook))
        {
            Assert.Equal(HttpStatusCode.Created, (await first.Client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.Mlp(inputs: 4, hidden1: 1024, hidden2: 1024))).Status);
            for (var i = 0; i < 40; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await first.Client.PostJsonAsync($"v2/models/{model}/infer", Rows(1, i))).Status);
            }

            calm = (await MonitorUntilAsync(first.Client, model, requests: 40)).GetProperty("service");
        }

        Assert.DoesNotContain(webhook.Bodies, b => b.Contains(model));

        // The model's own threshold, well above what this machine answered one-row requests in (ten times their median,
        // twice their p95; the first request loaded the model): requests of 8,000 rows, thousands of times the
        // arithmetic, pass it whatever the machine.
        var threshold = Math.Ceiling(Math.Max(10 * calm.GetProperty("latency_p50_ms").GetDouble(), 2 * calm.GetProperty("latency_p95_ms").GetDouble()));
        await using var runner = await StartAsync(webhook, ($"Monitoring:Models:{model}:LatencyP95ThresholdMs", threshold.ToString(CultureInfo.InvariantCulture)));
        var client = runner.Client;
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"v2/models/{model}/infer", Rows(8_000, i))).Status);
        }

        var slow = await MonitorUntilAsync(client, model, requests: 52);

        var latency = slow.GetProperty("findings").EnumerateArray().SingleOrDefault(f => f.GetProperty("kind").GetString() == "latency");
        Assert.True(latency.ValueKind == JsonValueKind.Object, $"threshold {threshold} ms: {slow.GetProperty("service")}");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"> {threshold:0.#} ms"), latency.GetProperty("message").GetString());
        var alert = Assert.Single(webhook.Bodies, b => b.Contains(model));
        Assert.Contains("\"latency\"", alert);
    }

    /// <summary>A runner on the shared storage with the webhook and any further settings.</summary>
    private async Task<Runner> StartAsync(LoopbackServer webhook, params (string Key, string Value)[] settings)
    {
        var options = _stack.RunnerOptions();
        var merged = new Dictionary<string, string?>(options.Settings)
        {
            ["Monitoring:WebhookUrl"] = webhook.Url + "hook",
            ["MonitoringSchedule"] = "0 0 0 1 1 *", // Runs only on demand here.
        };
        foreach (var (key, value) in settings)
        {
            merged[key] = value;
        }

        var host = await LocalFunctionHost.StartAsync(options with { Settings = merged });
        var client = new HttpClient { BaseAddress = new Uri(host.BaseAddress, host.RoutePrefix + "/") };
        await StackFixture.WaitUntilReadyAsync(client);
        return new Runner(host, client);
    }

    /// <summary>
    /// Runs the monitor for the model until its latest report has judged the expected requests (and is against the
    /// expected kind of reference, when given). A run of another scope under way (the shared runner's scheduled run,
    /// on the hour) is a 409: then it asks again.
    /// </summary>
    private static async Task<JsonElement> MonitorUntilAsync(HttpClient client, string model, long requests, string? reference = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var run = await client.PostJsonAsync("monitoring/runs", $$"""{"model":"{{model}}"}""");
            if (run.Status == HttpStatusCode.Conflict && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1_000);
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, run.Status);
            var latest = await client.GetJsonAsync($"models/{model}/monitoring/reports/latest");
            if (latest.Status == HttpStatusCode.OK && latest.Json.GetProperty("service").GetProperty("requests").GetInt64() >= requests &&
                (reference is null || latest.Json.GetProperty("reference").GetProperty("kind").GetString() == reference))
            {
                Assert.Equal(requests, latest.Json.GetProperty("service").GetProperty("requests").GetInt64());
                return latest.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the monitor did not judge {requests} requests: {run.Json} {latest.Body}");
            await Task.Delay(500);
        }
    }

    private static async Task SendImagesAsync(HttpClient client, string model, int count, double mean, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var pixels = string.Join(",", Enumerable.Range(0, 192).Select(_ => Number(mean + Normal(random))));
            var answer = await client.PostJsonAsync($"v2/models/{model}/infer",
                $$"""{"inputs":[{"name":"image","datatype":"FP32","shape":[1,3,8,8],"data":[{{pixels}}]}]}""");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
        }
    }

    private static string Infer3(int i) => $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[{{i % 7}},1,2]}]}""";

    private static string Rows(int rows, int seed)
    {
        var random = new Random(seed);
        var data = string.Join(",", Enumerable.Range(0, rows * 4).Select(_ => Number(Normal(random))));
        return $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[{{rows}},4],"data":[{{data}}]}]}""";
    }

    private static string Csv(int rows, int seed, double shift)
    {
        var random = new Random(seed);
        var csv = new StringBuilder(string.Join(",", Enumerable.Range(0, 10).Select(ReferenceManifests.FeatureName)) + "\n");
        for (var r = 0; r < rows; r++)
        {
            csv.Append(string.Join(",", Enumerable.Range(0, 10).Select(_ => Number(shift + Normal(random))))).Append('\n');
        }

        return csv.ToString();
    }

    private static JsonElement Judged(JsonElement report, string test) =>
        report.GetProperty("judged").EnumerateArray().Single(j => j.GetProperty("test").GetString() == test);

    private static (string, long, string, long) ByApi(JsonElement report, string test)
    {
        var byApi = Judged(report, test).GetProperty("by_api").EnumerateObject().ToList();
        Assert.Equal(2, byApi.Count);
        return (byApi[0].Name, byApi[0].Value.GetInt64(), byApi[1].Name, byApi[1].Value.GetInt64());
    }

    private static List<string> Kinds(JsonElement report) =>
        report.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()!).ToList();

    private static string Number(double value) => Math.Round(value, 4).ToString("R", CultureInfo.InvariantCulture);

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class Runner(LocalFunctionHost host, HttpClient client) : IAsyncDisposable
    {
        public HttpClient Client { get; } = client;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await host.DisposeAsync();
        }
    }
}
