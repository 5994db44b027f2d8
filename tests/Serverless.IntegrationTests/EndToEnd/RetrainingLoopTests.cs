using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.Core.Training;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;
using Xunit.Abstractions;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// The closed retraining loop end to end on the runner (Azurite, real HTTP, the built-in trainer as child processes, runs
/// polled every second): a churn model trained on one customer mix serves traffic that shifts to another where the old
/// relation no longer holds, the outcomes come back as feedback after the answers, the monitor (run over HTTP) finds the
/// decay and starts a run, which retrains on the labelled traffic, shadows the challenger, rolls it out (judged on demand)
/// and promotes it (its lbfgs trial continued from the champion's weights, and the record says so), and the live metric recovers; a challenger worse than the champion is retired after its shadow with
/// the champion untouched; a run that needs approval waits for it, then goes on. The data are seeded; the live figures
/// are written to the test output.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RetrainingLoopTests
{
    private const string Alias = "production";

    private readonly StackFixture _stack;
    private readonly ITestOutputHelper _output;

    public RetrainingLoopTests(StackFixture stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task TrafficShiftsAndTheChampionDecays_MonitorStartsARun_ChallengerShadowsRollsOutAndIsPromoted_LiveMetricRecovers()
    {
        var model = "loop-" + Guid.NewGuid().ToString("N")[..6];
        await TrainChampionAsync(model);
        await SetPolicyAsync(model, """["decay"]""", TrafficData, approval: false);

        var calm = await SendAsync(model, "calm", ChurnCustomers.Original(300, seed: 21));
        var calmReport = await MonitorAsync(model, rows: 300);
        Assert.False(calmReport.GetProperty("performance").GetProperty("decayed").GetBoolean(), calmReport.GetProperty("performance").ToString());
        Assert.Empty((await Client.GetJsonAsync($"models/{model}/retraining/runs")).Json.GetProperty("runs").EnumerateArray());

        var shifted = await SendAsync(model, "shift", ChurnCustomers.Shifted(600, seed: 22));
        var decayed = await MonitorAsync(model, rows: 900);
        Assert.True(decayed.GetProperty("performance").GetProperty("decayed").GetBoolean(), decayed.GetProperty("performance").ToString());
        var started = Assert.Single((await Client.GetJsonAsync($"models/{model}/retraining/runs")).Json.GetProperty("runs").EnumerateArray());
        Assert.Equal("decay", started.GetProperty("trigger").GetString());
        var runId = started.GetProperty("run_id").GetString()!;

        var run = await DriveAsync(model, runId, seed: 100, shifted: true);
        var after = await SendAsync(model, "after", ChurnCustomers.Shifted(400, seed: 23));
        Assert.Equal(HttpStatusCode.OK, (await Client.PostJsonAsync("monitoring/runs", $$"""{"model":"{{model}}"}""")).Status);
        var page = await (await Client.GetAsync($"models/{model}/monitoring/reports/latest.html")).Content.ReadAsStringAsync();

        Assert.True(run.GetProperty("decision").GetString() == "promoted", run.ToString());
        Assert.Equal(("completed", "1", "2"), (run.GetProperty("status").GetString(), run.GetProperty("champion").GetString(), run.GetProperty("sweep").GetProperty("challenger").GetString()));
        Assert.Contains("performance_decay", run.GetProperty("trigger").GetProperty("message").GetString());
        var sweep = run.GetProperty("sweep");
        _output.WriteLine($"warm start: {sweep.GetProperty("warm_start")}; {sweep.GetProperty("warm_start_note")}");
        Assert.True(sweep.GetProperty("warm_start").GetBoolean(), sweep.ToString());
        Assert.Contains("continued lbfgs from version 1 of " + model, sweep.GetProperty("warm_start_note").GetString());
        var data = run.GetProperty("data");
        Assert.Equal(900, data.GetProperty("traffic_rows").GetInt64());
        Assert.Equal(64, data.GetProperty("fingerprint").GetString()!.Length);
        var steps = run.GetProperty("steps").EnumerateArray().ToList();
        var shadow = steps.Last(s => s.GetProperty("stage").GetString() == "shadow");
        var rollout = steps.Last(s => s.GetProperty("stage").GetString() == "rollout");
        Assert.Equal("better", shadow.GetProperty("verdict").GetString());
        Assert.Equal(("better", 100), (rollout.GetProperty("verdict").GetString(), rollout.GetProperty("weight").GetInt32()));
        Assert.Contains(steps, s => s.GetProperty("stage").GetString() == "rollout" && s.GetProperty("weight").GetInt32() == 50);
        var alias = (await Client.GetJsonAsync($"models/{model}/aliases/{Alias}")).Json;
        Assert.Equal("2", alias.GetProperty("version").GetString());
        Assert.False(alias.TryGetProperty("traffic", out _));
        Assert.All(after.Served, s => Assert.Equal("2", s.Version));
        Assert.Contains("<h2>Retraining</h2>", page);
        var section = page[page.IndexOf("<h2>Retraining</h2>", StringComparison.Ordinal)..];
        Assert.Contains(runId, section);
        Assert.Contains("<td class=\"l\">promoted</td>", section);
        Assert.Equal(2, section.Split("<polyline").Length - 1);

        var before = calm.Auc("1");
        var decay = shifted.Auc("1");
        var recovered = after.Auc("2");
        var (shadowChallenger, shadowChampion) = Values(shadow);
        var (rolloutChallenger, rolloutChampion) = Values(rollout);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"live AUC: before the shift {before:F3} (v1); after it {decay:F3} (v1; the monitor's report: decayed); shadow v2 {shadowChallenger:F3} against v1 {shadowChampion:F3}; " +
            $"rollout v2 {rolloutChallenger:F3} against v1 {rolloutChampion:F3}; after promotion {recovered:F3} (v2)"));
        Assert.True(before >= 0.7, $"v1 on its own mix: {before}");
        Assert.True(decay <= 0.5, $"v1 after the shift: {decay}");
        Assert.True(shadowChallenger > shadowChampion + 0.05, shadow.ToString());
        Assert.True(recovered >= 0.7, $"v2 after the shift: {recovered}");
    }

    [Fact]
    public async Task ChallengerWorseThanTheChampion_RetiredAfterItsShadow_ChampionUntouched()
    {
        var model = "loop-worse-" + Guid.NewGuid().ToString("N")[..6];
        await TrainChampionAsync(model);
        await SetPolicyAsync(model, """["manual"]""", await StaleDataAsync(model), approval: false);

        var runId = await StartManualAsync(model);
        var run = await DriveAsync(model, runId, seed: 200, shifted: false);

        Assert.True(run.GetProperty("decision").GetString() == "retired", run.ToString());
        Assert.Equal((0, 500), (run.GetProperty("data").GetProperty("traffic_rows").GetInt64(), run.GetProperty("data").GetProperty("reference_rows").GetInt64()));
        Assert.StartsWith("in the shadow, the challenger does not win", run.GetProperty("reason").GetString());
        var shadow = run.GetProperty("steps").EnumerateArray().Last();
        Assert.Equal(("shadow", "not_better"), (shadow.GetProperty("stage").GetString(), shadow.GetProperty("verdict").GetString()));
        var (challenger, champion) = Values(shadow);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"live AUC in the shadow: challenger (trained on mislabelled data) {challenger:F3}, champion {champion:F3}"));
        Assert.True(champion > challenger, shadow.ToString());
        await AssertChampionUntouchedAsync(model, expectedMoves: ["set", "set", "set"]);
    }

    [Fact]
    public async Task ApprovalRequired_RunWaitsWithoutServingTheChallenger_ThenGoesOnWhenApproved()
    {
        var model = "loop-approve-" + Guid.NewGuid().ToString("N")[..6];
        await TrainChampionAsync(model);
        await SetPolicyAsync(model, """["manual"]""", await StaleDataAsync(model), approval: true);
        var runId = await StartManualAsync(model);

        var waiting = await WaitForAsync(model, runId, r => r.GetProperty("status").GetString() != "running" || r.GetProperty("stage").GetString() == "waiting_for_approval");
        Assert.True(waiting.GetProperty("status").GetString() == "waiting_for_approval", waiting.ToString());
        Assert.Equal("2", waiting.GetProperty("sweep").GetProperty("challenger").GetString());
        await AssertChampionUntouchedAsync(model, expectedMoves: ["set"]);
        var stillWaiting = await SendAsync(model, "waiting", ChurnCustomers.Original(100, seed: 42));
        Assert.All(stillWaiting.Served, s => Assert.Equal("1", s.Version));
        Assert.Equal("waiting_for_approval", (await Client.GetJsonAsync($"models/{model}/retraining/runs/{runId}")).Json.GetProperty("status").GetString());

        var approved = await Client.PostJsonAsync($"models/{model}/retraining/{runId}/approve", """{"reason":"looked at the leaderboard"}""");
        Assert.True(approved.Status == HttpStatusCode.Accepted, approved.Body.ToString());
        var run = await DriveAsync(model, runId, seed: 300, shifted: false);

        var approval = run.GetProperty("approval");
        Assert.True(approval.GetProperty("approved").GetBoolean(), approval.ToString());
        Assert.Equal("looked at the leaderboard", approval.GetProperty("reason").GetString());
        Assert.Contains(run.GetProperty("steps").EnumerateArray(), s => s.GetProperty("stage").GetString() == "shadow");
        Assert.True(run.GetProperty("decision").GetString() == "retired", run.ToString());
        await AssertChampionUntouchedAsync(model, expectedMoves: ["set", "set", "set"]);
    }

    /// <summary>The policy's data: the traffic of the last hour joined with its feedback.</summary>
    private const string TrafficData = """{"source":"traffic","window_hours":1}""";

    /// <summary>
    /// The policy's data for a worse challenger: a reference dataset of the original mix whose outcomes were recorded the wrong
    /// way round (a stale, mislabelled export), so whatever trains on it ranks customers backwards.
    /// </summary>
    private async Task<string> StaleDataAsync(string model)
    {
        var stale = ChurnCustomers.Original(500, seed: 5).Select(c => c with { Churned = 1 - c.Churned }).ToList();
        var container = new BlobContainerClient(_stack.ConnectionString, "training");
        await container.GetBlobClient($"{model}-stale.csv").UploadAsync(BinaryData.FromString(ChurnCustomers.Csv(stale)), overwrite: true);
        return $$"""{"source":"reference","reference_dataset":"training/{{model}}-stale.csv"}""";
    }

    /// <summary>Version 1, trained by a sweep on the original mix, promoted to the alias.</summary>
    private async Task TrainChampionAsync(string model)
    {
        var container = new BlobContainerClient(_stack.ConnectionString, "training");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient($"{model}.csv").UploadAsync(BinaryData.FromString(ChurnCustomers.Csv(ChurnCustomers.Original(1_000, seed: 3))), overwrite: true);
        var start = await Client.PostJsonAsync("orchestrations/training-sweeps", $$$"""
            {"dataset":"training/{{{model}}}.csv","target":"churned","task":"binary","algorithms":[{"name":"lbfgs"}],"metric":"auc",
             "model_name":"{{{model}}}","seed":7,"promotion":{"policy":"promote-if-better"}}
            """);
        Assert.True(start.Status == HttpStatusCode.Accepted, start.Body.ToString());
        var id = start.Json.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var status = (await Client.GetJsonAsync($"orchestrations/{id}")).Json;
            var runtime = status.GetProperty("runtime_status").GetString();
            if (runtime == "Completed")
            {
                Assert.True(status.GetProperty("output").GetProperty("promoted").GetBoolean(), status.ToString());
                return;
            }

            Assert.True(runtime is "Running" or "Pending" && DateTime.UtcNow < deadline, status.ToString());
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// A policy on the production alias (the sweep: logistic regression, seeded): a 100 % shadow judged as soon as both sides have 100 labelled rows, then a rollout
    /// at 50 % and 100 % with no minimum time; no cooldown, one run a day.
    /// </summary>
    private async Task SetPolicyAsync(string model, string triggers, string data, bool approval)
    {
        var answer = await Client.PutJsonAsync($"models/{model}/retraining", $$"""
            {"triggers":{{triggers}},"alias":"{{Alias}}","data":{{data}},"sweep":{"target":"churned","task":"binary","algorithms":[{"name":"lbfgs"}],"metric":"auc","seed":7},
             "rollout":{"shadow_percent":100,"shadow_minutes":0,"steps":[50,100],"min_step_minutes":0,"min_step_requests":5},
             "judge":{"margin":0.05,"min_labelled_rows":100,"max_wait_minutes":30},
             "guardrails":{"max_runs_per_day":1,"min_labelled_rows":200,"cooldown_minutes":0,"approval_required":{{(approval ? "true" : "false")}} } }
            """);
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body.ToString());
    }

    private async Task<string> StartManualAsync(string model)
    {
        var started = await Client.PostJsonAsync($"models/{model}/retraining/runs", """{"reason":"e2e"}""");
        Assert.True(started.Status == HttpStatusCode.Accepted, started.Body.ToString());
        Assert.Equal("manual", started.Json.GetProperty("trigger").GetProperty("kind").GetString());
        return started.Json.GetProperty("run_id").GetString()!;
    }

    /// <summary>Runs the monitor for the model until its latest report has seen <paramref name="rows"/> rows; that report.</summary>
    private async Task<JsonElement> MonitorAsync(string model, long rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var run = await Client.PostJsonAsync("monitoring/runs", $$"""{"model":"{{model}}"}""");
            Assert.True(run.Status == HttpStatusCode.OK, run.Body.ToString());
            var latest = await Client.GetJsonAsync($"models/{model}/monitoring/reports/latest");
            if (latest.Json.GetProperty("rows").GetInt64() >= rows)
            {
                return latest.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the monitor saw {latest.Json.GetProperty("rows")} of {rows} rows: {run.Json}");
            await Task.Delay(1_000);
        }
    }

    /// <summary>
    /// Follows a run to its end, feeding it: while it shadows or rolls out, sends a batch of customers (answered, then their
    /// outcomes posted) and, once the latest rollout reading has enough labelled rows of both sides, has the rollouts judged.
    /// </summary>
    private async Task<JsonElement> DriveAsync(string model, string runId, int seed, bool shifted)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        var stages = new List<string>();
        for (var batch = 0; ; batch++)
        {
            var run = (await Client.GetJsonAsync($"models/{model}/retraining/runs/{runId}")).Json;
            var status = run.GetProperty("status").GetString();
            var stage = run.GetProperty("stage").GetString()!;
            if (status is "completed" or "failed")
            {
                _output.WriteLine($"run {runId}: {string.Join(" → ", stages.Distinct())} → {run.GetProperty("decision")}: {run.GetProperty("reason")}");
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} still {status} at {stage}: {run}");
            stages.Add(stage);
            if (stage is "shadow" or "rollout")
            {
                var customers = shifted ? ChurnCustomers.Shifted(200, seed + batch) : ChurnCustomers.Original(200, seed + batch);
                await SendAsync(model, $"{runId}-{batch}", customers, requests: 10);
                var last = run.GetProperty("steps").EnumerateArray().LastOrDefault();
                if (stage == "rollout" && last.ValueKind == JsonValueKind.Object && last.GetProperty("stage").GetString() == "rollout"
                    && last.GetProperty("verdict").GetString() == "better")
                {
                    var judged = await Client.PostJsonAsync("rollouts/runs", "");
                    Assert.True(judged.Status == HttpStatusCode.OK, judged.Body.ToString());
                }
            }

            await Task.Delay(500);
        }
    }

    private async Task<JsonElement> WaitForAsync(string model, string runId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var run = (await Client.GetJsonAsync($"models/{model}/retraining/runs/{runId}")).Json;
            if (done(run))
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId}: {run}");
            await Task.Delay(500);
        }
    }

    /// <summary>The alias serves version 1 alone with no mirror, and its history holds exactly <paramref name="expectedMoves"/> (newest first).</summary>
    private async Task AssertChampionUntouchedAsync(string model, string[] expectedMoves)
    {
        var alias = (await Client.GetJsonAsync($"models/{model}/aliases/{Alias}")).Json;
        Assert.Equal("1", alias.GetProperty("version").GetString());
        Assert.False(alias.TryGetProperty("traffic", out _), alias.ToString());
        Assert.False(alias.TryGetProperty("mirror", out var mirror) && mirror.ValueKind != JsonValueKind.Null, alias.ToString());
        var history = (await Client.GetJsonAsync($"models/{model}/aliases/{Alias}/history")).Json;
        Assert.Equal(expectedMoves, history.GetProperty("moves").EnumerateArray().Select(m => m.GetProperty("kind").GetString()!).ToArray());
    }

    /// <summary>
    /// Sends the customers to <c>/predict</c> in <paramref name="requests"/> requests with our own request ids, then posts every
    /// row's outcome as feedback (later than the answer, as feedback comes); what each row was served.
    /// </summary>
    private async Task<Traffic> SendAsync(string model, string phase, IReadOnlyList<ChurnCustomer> customers, int requests = 6)
    {
        var served = new List<Served>();
        var feedback = new List<string>();
        var size = (customers.Count + requests - 1) / requests;
        foreach (var (chunk, k) in customers.Chunk(size).Select((c, k) => (c, k)))
        {
            var requestId = $"{phase}-{k}";
            var instances = string.Join(",", chunk.Select(c => c.Instance));
            var answer = await Client.SendAsync(HttpMethod.Post, $"models/{model}/predict",
                new StringContent($$"""{"instances":[{{instances}}]}""", Encoding.UTF8, "application/json"),
                new Dictionary<string, string> { ["x-request-id"] = requestId });
            Assert.True(answer.Status == HttpStatusCode.OK, answer.Body.ToString());
            var version = answer.Json.GetProperty("model_version").GetString()!;
            var predictions = answer.Json.GetProperty("predictions").EnumerateArray().ToList();
            for (var row = 0; row < chunk.Length; row++)
            {
                served.Add(new Served(version, chunk[row].Churned, predictions[row].GetProperty("scores")[1].GetDouble()));
                feedback.Add($$"""{"id":"{{requestId}}","row":{{row}},"actual":{{chunk[row].Churned}}}""");
            }
        }

        var posted = await Client.PostJsonAsync($"models/{model}/feedback", "[" + string.Join(",", feedback) + "]");
        Assert.True(posted.Status == HttpStatusCode.Accepted, posted.Body.ToString());
        return new Traffic(served);
    }

    private static (double Challenger, double Champion) Values(JsonElement step)
    {
        var comparison = step.GetProperty("comparison");
        return (comparison.GetProperty("challenger_value").GetDouble(), comparison.GetProperty("champion_value").GetDouble());
    }

    private sealed record Served(string Version, int Churned, double Score);

    /// <summary>What a batch of customers was served, and the AUC of a version's answers against their outcomes (the trainers' metric code).</summary>
    private sealed record Traffic(IReadOnlyList<Served> Served)
    {
        public double Auc(string version)
        {
            var mine = Served.Where(s => s.Version == version).ToList();
            return ModelMetrics.Auc([.. mine.Select(s => s.Churned)], [.. mine.Select(s => s.Score)]);
        }
    }
}
