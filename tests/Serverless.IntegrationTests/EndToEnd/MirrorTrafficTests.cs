using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Mirroring;
using Serverless.Core.Monitoring.Logging;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Mirror (shadow) traffic over the runner: copies go through the Storage queue on Azurite to the queue-triggered function, are
/// scored by the mirror version and logged with the mirror mark under the primary's request id; a mirror that fails never changes
/// the primary's answers and its failures are logged as mirror error records; a queue that cannot be used leaves the primary fine
/// and counts the dropped copies.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class MirrorTrafficTests
{
    private const string InferBody = """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 3], "data": [[0.5, -1.25, 2], [3, 0, -3]]}]}""";
    private const string PredictBody = """{"instances": [{"f0": 0.5, "f1": -1.25, "f2": 2}]}""";

    private readonly StackFixture _stack;

    public MirrorTrafficTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task FullMirror_EveryCopyIsScoredAndLogged_WithTheMirrorMark_UnderThePrimarysRequestIdAndRows()
    {
        const string model = "mirror-e2e";
        await RegisterAsync(model, "1", ReferenceModels.LogisticRegression(features: 3, seed: 1), manifest: true);
        await RegisterAsync(model, "2", ReferenceModels.LogisticRegression(features: 3, seed: 2), manifest: true);
        var set = await Client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1", "mirror": {"version": "2", "percent": 100}}""");
        var alias = await Client.GetJsonAsync($"models/{model}/aliases/production");
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);

        var ids = Enumerable.Range(0, 6).Select(i => $"mirror-e2e-{i}").ToList();
        foreach (var id in ids)
        {
            var answer = id.EndsWith('5')
                ? await PostAsync($"models/{model}/predict", PredictBody, id)
                : await PostAsync($"v2/models/{model}/infer", InferBody, id);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal("1", answer.Json.GetProperty("model_version").GetString());
        }

        var versioned = await PostAsync($"v2/models/{model}/versions/1/infer", InferBody, "mirror-e2e-versioned");
        var records = await WaitForRecordsAsync(model, from, r => r.Mirror, expected: (5 * 2) + 1);

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("""{"version":"2","percent":100}""", alias.Json.GetProperty("mirror").GetRawText());
        Assert.Equal(HttpStatusCode.OK, versioned.Status);
        Assert.All(records.Where(r => r.Mirror), r => Assert.Equal(("2", "ok"), (r.Version, r.Status)));
        Assert.All(records.Where(r => !r.Mirror), r => Assert.Equal("1", r.Version));
        foreach (var id in ids)
        {
            var primary = records.Where(r => r.RequestId == id && !r.Mirror).Select(r => r.Row).Order().ToList();
            var mirror = records.Where(r => r.RequestId == id && r.Mirror).Select(r => (r.Row, r.Source)).OrderBy(r => r.Row).ToList();
            Assert.NotEmpty(primary);
            Assert.Equal(primary, mirror.Select(m => m.Row));
            Assert.All(mirror, m => Assert.Equal(id.EndsWith('5') ? "predict" : "infer", m.Source));
        }

        Assert.DoesNotContain(records, r => r.RequestId == "mirror-e2e-versioned" && r.Mirror);
    }

    [Fact]
    public async Task GraphMirror_RecordsCopiesAreScoredByTheMirrorGraph()
    {
        await RegisterAsync("mirror-graph-a", "1", ReferenceModels.LogisticRegression(features: 3, seed: 1), manifest: true);
        await RegisterAsync("mirror-graph-b", "1", ReferenceModels.LogisticRegression(features: 3, seed: 2), manifest: true);
        const string inputs = """[{"name": "input", "datatype": "FP32", "shape": [-1, 3]}]""";
        foreach (var (version, member) in new[] { ("1", "mirror-graph-a@1"), ("2", "mirror-graph-b@1") })
        {
            var put = await Client.PutJsonAsync($"graphs/mirror-graph/versions/{version}", $$"""{"inputs": {{inputs}}, "root": {"name": "only", "model": "{{member}}"} }""");
            Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, put.Body?.ToString());
        }

        var set = await Client.PutJsonAsync("models/mirror-graph/aliases/production", """{"version": "1", "mirror": {"version": "2", "percent": 100}}""");
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);

        var answer = await PostAsync("models/mirror-graph/predict", PredictBody, "mirror-graph-1");
        var records = await WaitForRecordsAsync("mirror-graph", from, r => r.Mirror, expected: 1);

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var mirror = Assert.Single(records, r => r.Mirror);
        Assert.Equal(("2", "ok", "predict", "mirror-graph-1"), (mirror.Version, mirror.Status, mirror.Source, mirror.RequestId));
        Assert.NotNull(mirror.Probability);
    }

    [Fact]
    public async Task FailingMirror_NeverChangesThePrimarysAnswers_AndItsFailuresAreLoggedAsMirrorErrors()
    {
        const string model = "mirror-fail-e2e";
        await RegisterAsync(model, "1", ReferenceModels.LogisticRegression(features: 3, seed: 1), manifest: false);
        // Four features: every three-feature body the primary serves is refused by the mirror's signature.
        await RegisterAsync(model, "3", ReferenceModels.LogisticRegression(features: 4, seed: 3), manifest: false);
        await Client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1"}""");
        var before = new List<(HttpStatusCode, string)>();
        for (var i = 0; i < 4; i++)
        {
            before.Add(Answer(await PostAsync($"v2/models/{model}/infer", InferBody, $"mirror-fail-{i}")));
        }

        var set = await Client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1", "mirror": {"version": "3", "percent": 100}}""");
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);
        var after = new List<(HttpStatusCode, string)>();
        for (var i = 0; i < 4; i++)
        {
            after.Add(Answer(await PostAsync($"v2/models/{model}/infer", InferBody, $"mirror-fail-{i}")));
        }

        var records = await WaitForRecordsAsync(model, from, r => r.Mirror, expected: 4);

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(before, after);
        Assert.All(before, a => Assert.Equal(HttpStatusCode.OK, a.Item1));
        var failures = records.Where(r => r.Mirror).ToList();
        Assert.Equal(["mirror-fail-0", "mirror-fail-1", "mirror-fail-2", "mirror-fail-3"], failures.Select(r => r.RequestId).Order());
        Assert.All(failures, r => Assert.Equal(("3", "error", 400), (r.Version, r.Status, r.StatusCode)));
        Assert.All(failures, r => Assert.False(string.IsNullOrEmpty(r.Error)));
    }

    [Fact]
    public async Task QueueThatCannotBeUsed_LeavesThePrimaryFine_AndCountsTheDroppedCopies()
    {
        const string model = "mirror-down-e2e";
        await RegisterAsync(model, "1", ReferenceModels.LogisticRegression(features: 3, seed: 1), manifest: false);
        await RegisterAsync(model, "2", ReferenceModels.LogisticRegression(features: 3, seed: 2), manifest: false);
        await Client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1", "mirror": {"version": "2", "percent": 100}}""");
        var options = _stack.RunnerOptions();
        // Not a queue name the service accepts: every send fails as a missing or refused queue would.
        options = options with { Settings = new Dictionary<string, string?>(options.Settings) { [MirrorOptions.QueueSetting] = "Not_A_Queue" } };
        await using var runner = await LocalFunctionHost.StartAsync(options);
        using var client = new HttpClient { BaseAddress = new Uri(runner.BaseAddress, runner.RoutePrefix + "/") };
        await StackFixture.WaitUntilReadyAsync(client);

        var answers = new List<JsonAnswer>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await client.SendAsync(HttpMethod.Post, $"v2/models/{model}/infer", new StringContent(InferBody, Encoding.UTF8, "application/json")));
        }

        var counters = runner.Services.GetRequiredService<MirrorCounters>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (counters.Dropped(MirrorDropReasons.Unavailable) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var ready = await client.GetJsonAsync("v2/health/ready");

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "1"), (a.Status, a.Json.GetProperty("model_version").GetString())));
        Assert.Equal(3, counters.Dropped(MirrorDropReasons.Unavailable));
        Assert.Equal(0, counters.Sent);
        Assert.Equal(3, ready.Json.GetProperty("mirror").GetProperty("dropped").GetProperty("unavailable").GetInt64());
    }

    private static (HttpStatusCode, string) Answer(JsonAnswer answer) => (answer.Status, answer.Json.GetRawText());

    private Task<JsonAnswer> PostAsync(string path, string body, string requestId) =>
        Client.SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, "application/json"), new Dictionary<string, string> { ["x-request-id"] = requestId });

    private async Task RegisterAsync(string model, string version, byte[] bytes, bool manifest)
    {
        var answer = await Client.PutBytesAsync($"models/{model}/versions/{version}", bytes);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {answer.Status}");
        if (manifest)
        {
            var put = await Client.PutJsonAsync($"models/{model}/versions/{version}/manifest", ReferenceManifests.LogisticRegression(features: 3));
            Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"manifest failed: {put.Status}");
        }
    }

    private async Task<List<InferenceLogRecord>> WaitForRecordsAsync(string model, DateTimeOffset from, Func<InferenceLogRecord, bool> counted, int expected)
    {
        var reader = _stack.Host.Services.GetRequiredService<InferenceLogReader>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var records = new List<InferenceLogRecord>();
            await foreach (var record in reader.ReadAsync(model, from, DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                records.Add(record);
            }

            if (records.Count(counted) >= expected || DateTime.UtcNow > deadline)
            {
                return records;
            }

            await Task.Delay(200);
        }
    }
}
