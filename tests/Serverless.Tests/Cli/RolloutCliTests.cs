using System.Net;
using System.Text.Json.Nodes;
using Serverless.Cli;

namespace Serverless.Tests.Cli;

/// <summary><c>models rollout</c> and the rollout in <c>models alias</c>, against a scripted API playing the rollout routes' contract.</summary>
public sealed class RolloutCliTests
{
    private const string Alias = """{"name": "fraud", "alias": "production", "version": "1", "updated_utc": "2026-01-01T00:00:00Z", "etag": "W/\"e1\"", "mirror": null}""";

    private const string Rolling = """
        {"name": "fraud", "alias": "production", "version": "1", "updated_utc": "2026-01-02T00:00:00Z", "etag": "W/\"e2\"", "mirror": null,
         "traffic": {"1": 95, "2": 5}, "routing_key": "x-routing-key",
         "rollout": {"version": "2", "champion": "1", "steps": [5, 50, 100], "step_index": 0, "weight": 5, "state": "running",
           "started_utc": "2026-01-02T00:00:00Z", "step_started_utc": "2026-01-02T00:00:00Z", "min_step_minutes": 10, "min_step_requests": 100,
           "guards": {"max_error_rate": 0.02}, "routing_key": "x-routing-key", "started_by": "admin key", "reason": "canary", "ended_utc": null, "end_reason": null,
           "readings": {"read_utc": "2026-01-02T00:05:00Z", "from_utc": "2026-01-02T00:00:00Z", "requests": 40, "errors": 0, "error_rate": 0, "error_rate_lower_bound": 0,
             "latency_p95_ms": 1.25, "metric": null, "metric_value": null, "champion_metric_value": null, "labelled_rows": 0, "champion_labelled_rows": 0,
             "metric_drop": null, "note": "waiting for 100 requests"}}}
        """;

    [Fact]
    public async Task Rollout_SendsThePlanOnTheAliasETag_AndShowsTheFirstStep()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias)
            .On(HttpMethod.Put, "models/fraud/aliases/production/rollout", HttpStatusCode.OK, Rolling);

        var (code, stdout, stderr) = await api.RunAsync("models", "rollout", "fraud", "2", "--steps", "5,50,100", "--max-error-rate", "0.02", "--reason", "canary");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", stderr);
        var put = Assert.Single(api.Requests, r => r.Method == HttpMethod.Put);
        Assert.Equal("W/\"e1\"", put.Headers["If-Match"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"version": "2", "steps": [5, 50, 100], "guards": {"max_error_rate": 0.02}, "reason": "canary"}"""),
            JsonNode.Parse(put.Body)), put.Body);
        Assert.Contains("production of fraud -> split 1:95 2:5", stdout);
        Assert.Contains("rollout of version 2 from 1: running, step 1 of 3 (5 %", stdout);
        Assert.Contains("40 requests", stdout);
        Assert.Contains("waiting for 100 requests", stdout);
    }

    [Fact]
    public async Task RolloutAbort_DeletesTheRollout_WithTheReason()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Rolling)
            .On(HttpMethod.Delete, "models/fraud/aliases/production/rollout", HttpStatusCode.OK, Alias);

        var (code, stdout, _) = await api.RunAsync("models", "rollout", "fraud", "--abort", "--reason", "latency");

        Assert.Equal(ExitCodes.Success, code);
        var delete = Assert.Single(api.Requests, r => r.Method == HttpMethod.Delete);
        Assert.Equal("W/\"e2\"", delete.Headers["If-Match"]);
        Assert.Equal("latency", (string?)JsonNode.Parse(delete.Body)!["reason"]);
        Assert.Contains("production of fraud -> version 1", stdout);
    }

    [Theory]
    [InlineData("5,abc,100")]
    [InlineData("0,100")]
    [InlineData("5,101")]
    [InlineData(",")]
    public async Task Rollout_StepsThatAreNotPercent_IsAUsageError_NothingSent(string steps)
    {
        var api = new FakeApi().On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias);

        var (code, _, stderr) = await api.RunAsync("models", "rollout", "fraud", "2", "--steps", steps);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("--steps", stderr);
        Assert.DoesNotContain(api.Requests, r => r.Method != HttpMethod.Get);
    }

    [Fact]
    public async Task Rollout_NeitherVersionNorAbort_IsAUsageError()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias);

        var (code, _, stderr) = await api.RunAsync("models", "rollout", "fraud");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("version to roll out", stderr);
    }

    [Fact]
    public async Task Alias_ShowsARunningRolloutsStepAndReadings()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Rolling);

        var (code, stdout, _) = await api.RunAsync("models", "alias", "fraud");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("rollout of version 2 from 1: running, step 1 of 3", stdout);
        Assert.Contains("p95 1.25 ms", stdout);
    }
}
