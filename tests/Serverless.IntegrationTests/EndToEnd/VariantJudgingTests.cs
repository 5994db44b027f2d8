using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Tabular;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Variants judged end to end on the runner: a 50/50 split's versions serve real requests, the outcomes posted as feedback
/// make version 2 clearly worse, and a third version's mirror copies of version 1's requests (logged to the same Azurite
/// tables with the mirror mark, as the mirror path writes them) agree with 90 % of its answers. The monitor's report shows
/// both versions side by side, the verdict "worse" on accuracy, and the mirror's agreement.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class VariantJudgingTests
{
    private const int Requests = 160;

    private readonly StackFixture _stack;

    public VariantJudgingTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task SplitWithAWorseChallengerAndAMirror_ReportShowsBothVersionsTheVerdictAndMirrorAgreement()
    {
        var model = "variants-" + Guid.NewGuid().ToString("N")[..6];
        foreach (var version in new[] { "1", "2", "3" })
        {
            Assert.Equal(HttpStatusCode.Created, (await Client.PutBytesAsync($"models/{model}/versions/{version}", ReferenceModels.LogisticRegression(features: 3, seed: int.Parse(version, CultureInfo.InvariantCulture)))).Status);
            Assert.Equal(HttpStatusCode.Created, (await Client.PutJsonAsync($"models/{model}/versions/{version}/manifest", ReferenceManifests.LogisticRegression(features: 3))).Status);
        }

        Assert.Equal(HttpStatusCode.OK, (await Client.PutJsonAsync($"models/{model}/aliases/production", """{"traffic": {"1": 50, "2": 50}}""")).Status);

        var answers = new List<(string Id, string Version, string Label)>();
        var random = new Random(4);
        for (var i = 0; i < Requests; i++)
        {
            var id = $"{model}-{i}";
            var row = string.Join(",", Enumerable.Range(0, 3).Select(f => $"\"{ReferenceManifests.FeatureName(f)}\":{Number((random.NextDouble() * 4) - 2)}"));
            var answer = await Client.SendAsync(HttpMethod.Post, $"models/{model}/predict", new StringContent($$"""{"instances":[{{{row}}}]}""", Encoding.UTF8, "application/json"),
                new Dictionary<string, string> { ["x-request-id"] = id, ["x-routing-key"] = $"caller-{i}" });
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            answers.Add((id, answer.Json.GetProperty("model_version").GetString()!, answer.Json.GetProperty("predictions")[0].GetProperty("label").GetRawText()));
        }

        var byVersion = answers.GroupBy(a => a.Version).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byVersion.GetValueOrDefault("1") >= 40 && byVersion.GetValueOrDefault("2") >= 40, string.Join(", ", byVersion));

        // Version 1's answers are right; version 2's are wrong three times in five.
        var feedback = answers.Select((a, i) => $$"""{"id":"{{a.Id}}","row":0,"actual":{{(a.Version == "2" && i % 5 < 3 ? Flip(a.Label) : a.Label)}}}""");
        var posted = await Client.PostJsonAsync($"models/{model}/feedback", "[" + string.Join(",", feedback) + "]");
        Assert.Equal(HttpStatusCode.Accepted, posted.Status);

        var primaries = answers.Where(a => a.Version == "1").ToList();
        var disagree = primaries.Where((_, i) => i % 10 == 0).Select(a => a.Id).ToHashSet();
        await LogMirrorCopiesAsync(model, primaries.Select(a => (a.Id, disagree.Contains(a.Id) ? Flip(a.Label) : a.Label)).ToList());

        var report = await MonitorUntilAsync(model, primaries.Count);

        var comparison = Assert.Single(report.GetProperty("variants").GetProperty("comparisons").EnumerateArray());
        Assert.Equal(("production", "1", "accuracy"), (comparison.GetProperty("alias").GetString(), comparison.GetProperty("champion").GetString(), comparison.GetProperty("metric").GetString()));
        var versions = comparison.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["1", "2"], versions.Select(v => v.GetProperty("version").GetString()));
        Assert.Equal([byVersion["1"], byVersion["2"]], versions.Select(v => v.GetProperty("requests").GetInt32()));
        Assert.Equal([byVersion["1"], byVersion["2"]], versions.Select(v => v.GetProperty("labelled_rows").GetInt32()));
        Assert.Equal(1.0, versions[0].GetProperty("live").GetProperty("value").GetDouble());
        var test = versions[1].GetProperty("metric_test");
        Assert.Equal(("two_proportion_z", "worse"), (test.GetProperty("method").GetString(), test.GetProperty("verdict").GetString()));
        Assert.True(test.GetProperty("p_value").GetDouble() < 0.001, test.ToString());
        Assert.True(test.GetProperty("high").GetDouble() < 0, test.ToString());
        Assert.Equal("no_significant_difference", versions[1].GetProperty("error_rate_test").GetProperty("verdict").GetString());

        var mirror = Assert.Single(report.GetProperty("variants").GetProperty("mirrors").EnumerateArray());
        Assert.Equal(("3", primaries.Count, 0), (mirror.GetProperty("mirror").GetString(), mirror.GetProperty("requests").GetInt32(), mirror.GetProperty("errors").GetInt32()));
        var pairing = Assert.Single(mirror.GetProperty("primaries").EnumerateArray());
        Assert.Equal(("1", primaries.Count), (pairing.GetProperty("primary").GetString(), pairing.GetProperty("paired_rows").GetInt32()));
        Assert.Equal((double)(primaries.Count - disagree.Count) / primaries.Count, pairing.GetProperty("agreement").GetProperty("value").GetDouble(), 12);

        var page = await (await Client.GetAsync($"models/{model}/monitoring/reports/latest.html")).Content.ReadAsStringAsync();
        Assert.Contains("<caption>Versions of alias production side by side</caption>", page);
        Assert.Contains("<span class=\"badge yes\">worse</span>", page);
        Assert.Contains("<h3>Mirror agreement</h3>", page);
    }

    /// <summary>Logs version 3's mirror copies of the given requests (row 0, the given label) through the real writer into the runner's log tables.</summary>
    private async Task LogMirrorCopiesAsync(string model, IReadOnlyList<(string Id, string Label)> copies)
    {
        var options = Options.Create(new InferenceLogOptions());
        using var buffer = new InferenceLogBuffer(options);
        var logger = new InferenceLogger(options, buffer, TimeProvider.System);
        using var writer = new InferenceLogWriter(options, buffer, new TableInferenceLogSink(new TableServiceClient(_stack.ConnectionString)), TimeProvider.System,
            NullLogger<InferenceLogWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var version = new ModelVersion(model, "3", "test", 1, DateTimeOffset.UtcNow, null, [], [], $"{model}/3/model.onnx");
        var schema = new FeatureSchema([.. Enumerable.Range(0, 3).Select(f => new FeatureSpec(ReferenceManifests.FeatureName(f), FeatureType.Numeric))]);
        foreach (var (id, label) in copies)
        {
            var capture = logger.Begin(InferenceLogSource.Predict, model, "3", id, mirror: true);
            var batch = new FeatureBatch(schema, 1);
            Assert.True(batch.AddRow(Enumerable.Range(0, 3).ToDictionary(f => ReferenceManifests.FeatureName(f), f => (string?)"0.5")));
            var positive = label == "1" ? 0.8 : 0.2;
            capture.RecordTabular(version, batch, [new TabularPrediction { Label = label, Probability = Math.Max(positive, 1 - positive), Scores = [1 - positive, positive] }]);
            logger.Complete(capture);
        }

        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(copies.Count, buffer.Counters.Written);
    }

    /// <summary>Runs the monitor until the model's latest report pairs every mirror copy (the runner's own log flushes in the background).</summary>
    private async Task<JsonElement> MonitorUntilAsync(string model, int mirrored)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var run = await Client.PostJsonAsync("monitoring/runs", $$"""{"model":"{{model}}"}""");
            if (run.Status == HttpStatusCode.Conflict && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1_000);
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, run.Status);
            var latest = await Client.GetJsonAsync($"models/{model}/monitoring/reports/latest");
            if (latest.Status == HttpStatusCode.OK && latest.Json.TryGetProperty("variants", out var variants) &&
                variants.GetProperty("comparisons").GetArrayLength() == 1 &&
                variants.GetProperty("comparisons")[0].GetProperty("versions").EnumerateArray().Sum(v => v.GetProperty("labelled_rows").GetInt32()) == Requests &&
                variants.GetProperty("mirrors").EnumerateArray().Any(m => m.GetProperty("primaries").EnumerateArray().Sum(p => p.GetProperty("paired_rows").GetInt32()) == mirrored))
            {
                return latest.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the monitor did not judge the variants: {run.Json} {latest.Body}");
            await Task.Delay(500);
        }
    }

    private static string Flip(string label) => label == "1" ? "0" : "1";

    private static string Number(double value) => Math.Round(value, 4).ToString("R", CultureInfo.InvariantCulture);
}
