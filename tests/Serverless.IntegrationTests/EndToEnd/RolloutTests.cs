using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Guarded progressive delivery through the runner on Azurite, judged on demand (<c>POST api/rollouts/runs</c>) with tiny
/// minimums: a healthy rollout walks its steps to the new version alone; a new version whose signature refuses the callers'
/// bodies breaks the error guard, the alias returns to the champion, the history says why and the webhook is posted.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RolloutTests
{
    private const string Body = """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[0.5,1.0,-0.25]}]}""";

    private readonly StackFixture _stack;

    public RolloutTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task HealthyRollout_AdvancesStepByStep_ThenCompletesOnTheNewVersionAlone()
    {
        var model = "rollout-ok-" + Guid.NewGuid().ToString("N")[..6];
        using var webhook = new LoopbackServer(_ => (200, null));
        await using var runner = await StartAsync(webhook);
        var client = runner.Client;
        await RegisterAsync(client, model, "1", ReferenceModels.LogisticRegression(features: 3, seed: 1));
        await RegisterAsync(client, model, "2", ReferenceModels.LogisticRegression(features: 3, seed: 2));
        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1"}""")).Status);

        var start = await client.PutJsonAsync($"models/{model}/aliases/production/rollout",
            """{"version": "2", "steps": [50, 100], "min_step_minutes": 0, "min_step_requests": 5, "guards": {"max_error_rate": 0.5, "max_p95_ms": 5000}, "reason": "e2e"}""");
        Assert.True(start.Status == HttpStatusCode.OK, start.Body.ToString());
        Assert.Equal("""{"1":50,"2":50}""", start.Json.GetProperty("traffic").GetRawText());
        Assert.Equal(("running", 0, 50), State(start.Json));

        var advanced = await JudgeUntilAsync(client, model, "advanced");
        var atHundred = await client.GetJsonAsync($"models/{model}/aliases/production");
        var completed = await JudgeUntilAsync(client, model, "completed");
        var done = await client.GetJsonAsync($"models/{model}/aliases/production");
        var history = await client.GetJsonAsync($"models/{model}/aliases/production/history");

        Assert.Equal(1, advanced.GetProperty("step_index").GetInt32());
        Assert.Equal("""{"1":0,"2":100}""", atHundred.Json.GetProperty("traffic").GetRawText());
        Assert.Equal(("running", 1, 100), State(atHundred.Json));
        Assert.True(atHundred.Json.GetProperty("rollout").GetProperty("readings").GetProperty("requests").GetInt64() >= 5);
        Assert.Equal("completed", completed.GetProperty("state").GetString());
        Assert.Equal("2", done.Json.GetProperty("version").GetString());
        Assert.False(done.Json.TryGetProperty("traffic", out _));
        Assert.Equal("completed", done.Json.GetProperty("rollout").GetProperty("state").GetString());
        Assert.Equal(["rollout_step", "rollout_step", "rollout_start", "set"], Kinds(history.Json));
        Assert.Equal("e2e", history.Json.GetProperty("moves")[2].GetProperty("reason").GetString());
        Assert.Empty(webhook.Bodies);
    }

    [Fact]
    public async Task NewVersionRefusingTheCallersBodies_BreaksTheErrorGuard_AliasReturnsToTheChampion_Recorded_AndAlerted()
    {
        var model = "rollout-bad-" + Guid.NewGuid().ToString("N")[..6];
        using var webhook = new LoopbackServer(_ => (200, null));
        await using var runner = await StartAsync(webhook);
        var client = runner.Client;
        await RegisterAsync(client, model, "1", ReferenceModels.LogisticRegression(features: 3, seed: 1));
        await RegisterAsync(client, model, "2", ReferenceModels.LogisticRegression(features: 4, seed: 2)); // Refuses [1, 3] inputs.
        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1"}""")).Status);
        var start = await client.PutJsonAsync($"models/{model}/aliases/production/rollout",
            """{"version": "2", "steps": [50, 100], "min_step_minutes": 60, "min_step_requests": 1000, "guards": {"max_error_rate": 0.02}}""");
        Assert.True(start.Status == HttpStatusCode.OK, start.Body.ToString());

        var rolledBack = await JudgeUntilAsync(client, model, "rolled_back");
        var alias = await client.GetJsonAsync($"models/{model}/aliases/production");
        var history = await client.GetJsonAsync($"models/{model}/aliases/production/history");
        var after = await InferAsync(client, model, 20);

        Assert.Equal("rolled_back", rolledBack.GetProperty("state").GetString());
        Assert.Equal("1", alias.Json.GetProperty("version").GetString());
        Assert.False(alias.Json.TryGetProperty("traffic", out _));
        var rollout = alias.Json.GetProperty("rollout");
        Assert.Equal("rolled_back", rollout.GetProperty("state").GetString());
        Assert.Contains("max_error_rate 2 %", rollout.GetProperty("end_reason").GetString());
        var readings = rollout.GetProperty("readings");
        Assert.Equal(readings.GetProperty("requests").GetInt64(), readings.GetProperty("errors").GetInt64());
        Assert.True(readings.GetProperty("error_rate_lower_bound").GetDouble() > 0.02, readings.ToString());
        var move = history.Json.GetProperty("moves")[0];
        Assert.Equal(("rollout_step", "rollout", "1"), (move.GetProperty("kind").GetString(), move.GetProperty("by").GetString(), move.GetProperty("to_version").GetString()));
        Assert.Contains("rolled back to '1'", move.GetProperty("reason").GetString());
        Assert.All(after, status => Assert.Equal(HttpStatusCode.OK, status));
        var alert = Assert.Single(webhook.Bodies, b => b.Contains(model));
        using var document = JsonDocument.Parse(alert);
        Assert.Equal("rollout_rolled_back", document.RootElement.GetProperty("kind").GetString());
        Assert.Equal(("2", "1"), (document.RootElement.GetProperty("version").GetString(), document.RootElement.GetProperty("champion").GetString()));
    }

    /// <summary>Sends traffic and judges rollouts until this model's rollout reports <paramref name="action"/>; its outcome.</summary>
    private static async Task<JsonElement> JudgeUntilAsync(HttpClient client, string model, string action)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var seen = new List<string>();
        while (true)
        {
            await InferAsync(client, model, 20);
            var run = await client.PostJsonAsync("rollouts/runs", "");
            Assert.True(run.Status == HttpStatusCode.OK, run.Body.ToString());
            var outcome = run.Json.GetProperty("rollouts").EnumerateArray().FirstOrDefault(o => o.GetProperty("model").GetString() == model);
            if (outcome.ValueKind == JsonValueKind.Object)
            {
                seen.Add(outcome.ToString());
                if (outcome.GetProperty("action").GetString() == action)
                {
                    return outcome;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"the rollout never {action}: {string.Join(" | ", seen.TakeLast(3))}");
            await Task.Delay(200);
        }
    }

    private static async Task<List<HttpStatusCode>> InferAsync(HttpClient client, string model, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            var answer = await client.SendAsync(HttpMethod.Post, $"v2/models/{model}/infer", new StringContent(Body, Encoding.UTF8, "application/json"));
            statuses.Add(answer.Status);
        }

        return statuses;
    }

    private static (string, int, int) State(JsonElement alias)
    {
        var rollout = alias.GetProperty("rollout");
        return (rollout.GetProperty("state").GetString()!, rollout.GetProperty("step_index").GetInt32(), rollout.GetProperty("weight").GetInt32());
    }

    private static string[] Kinds(JsonElement history) => [.. history.GetProperty("moves").EnumerateArray().Select(m => m.GetProperty("kind").GetString()!)];

    private static async Task RegisterAsync(HttpClient client, string model, string version, byte[] bytes)
    {
        var answer = await client.PutBytesAsync($"models/{model}/versions/{version}", bytes);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {answer.Status} {answer.Body}");
    }

    /// <summary>A runner on the shared storage posting alerts to the webhook; rollouts are judged only on demand.</summary>
    private async Task<Runner> StartAsync(LoopbackServer webhook)
    {
        var options = _stack.RunnerOptions();
        var settings = new Dictionary<string, string?>(options.Settings) { ["Monitoring:WebhookUrl"] = webhook.Url + "hook" };
        var host = await LocalFunctionHost.StartAsync(options with { Settings = settings });
        var client = new HttpClient { BaseAddress = new Uri(host.BaseAddress, host.RoutePrefix + "/") };
        await StackFixture.WaitUntilReadyAsync(client);
        return new Runner(host, client);
    }

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
