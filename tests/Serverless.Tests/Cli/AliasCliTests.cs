using System.Net;
using System.Text.Json.Nodes;
using Serverless.Cli;

namespace Serverless.Tests.Cli;

/// <summary>
/// <c>models promote|rollback|history</c> against a scripted API. Rollback and history are coded against the contract of
/// the alias history routes (POST .../rollback, GET .../history), which these fakes play.
/// </summary>
public sealed class AliasCliTests
{
    private const string Alias1 = """{"name": "fraud", "alias": "production", "version": "1", "updated_utc": "2026-01-01T00:00:00Z", "etag": "W/\"e1\""}""";
    private const string Alias2 = """{"name": "fraud", "alias": "production", "version": "2", "updated_utc": "2026-01-02T00:00:00Z", "etag": "W/\"e2\""}""";

    [Fact]
    public async Task Promote_ReadsTheAliasETag_AndMovesItOnlyOnThatState()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias1)
            .On(HttpMethod.Put, "models/fraud/aliases/production", HttpStatusCode.OK, Alias2);

        var (code, stdout, stderr) = await api.RunAsync("models", "promote", "fraud", "2", "--reason", "better auc");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", stderr);
        var put = Assert.Single(api.Requests, r => r.Method == HttpMethod.Put);
        Assert.Equal("W/\"e1\"", put.Headers["If-Match"]);
        var body = JsonNode.Parse(put.Body)!;
        Assert.Equal("2", (string?)body["version"]);
        Assert.Equal("better auc", (string?)body["reason"]);
        Assert.Contains("production of fraud: version 1 -> 2", stdout);
    }

    [Fact]
    public async Task Promote_NewAlias_SendsNoIfMatchAndNoReasonField()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/staging", HttpStatusCode.NotFound, """{"error": "Model 'fraud' has no alias 'staging'.", "code": "alias_not_found"}""")
            .On(HttpMethod.Put, "models/fraud/aliases/staging", HttpStatusCode.OK, Alias1.Replace("production", "staging"));

        var (code, stdout, _) = await api.RunAsync("models", "promote", "fraud", "1", "--alias", "staging");

        Assert.Equal(ExitCodes.Success, code);
        var put = Assert.Single(api.Requests, r => r.Method == HttpMethod.Put);
        Assert.False(put.Headers.ContainsKey("If-Match"));
        Assert.Equal("""{"version":"1"}""", put.Body);
        Assert.Contains("(new alias)", stdout);
    }

    [Fact]
    public async Task Promote_AliasMovedMeanwhile_ShowsTheApisStatusAndMessage_Exit4()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias1)
            .On(HttpMethod.Put, "models/fraud/aliases/production", HttpStatusCode.PreconditionFailed,
                """{"error": "Alias 'production' changed since it was read.", "code": "precondition_failed"}""");

        var (code, stdout, stderr) = await api.RunAsync("models", "promote", "fraud", "2");

        Assert.Equal(ExitCodes.ApiRefused, code);
        Assert.Equal("", stdout);
        Assert.Contains("error: HTTP 412 (precondition_failed): Alias 'production' changed since it was read.", stderr);
    }

    [Fact]
    public async Task Rollback_PostsToTheRollbackRoute_WithTheETagAndReason()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias2)
            .On(HttpMethod.Post, "models/fraud/aliases/production/rollback", HttpStatusCode.OK, Alias1);

        var (code, stdout, _) = await api.RunAsync("models", "rollback", "fraud", "--reason", "latency regression");

        Assert.Equal(ExitCodes.Success, code);
        var post = Assert.Single(api.Requests, r => r.Method == HttpMethod.Post);
        Assert.Equal("W/\"e2\"", post.Headers["If-Match"]);
        Assert.Equal("latency regression", (string?)JsonNode.Parse(post.Body)!["reason"]);
        Assert.Contains("production of fraud: version 2 -> 1", stdout);
    }

    [Fact]
    public async Task Rollback_NothingToRollBackTo_IsTheApisConflict_Exit4()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias1)
            .On(HttpMethod.Post, "models/fraud/aliases/production/rollback", HttpStatusCode.Conflict,
                """{"error": "Alias 'production' of model 'fraud' has no earlier version to roll back to.", "code": "conflict"}""");

        var (code, _, stderr) = await api.RunAsync("models", "rollback", "fraud", "-o", "json");

        Assert.Equal(ExitCodes.ApiRefused, code);
        Assert.Contains("HTTP 409 (conflict): Alias 'production' of model 'fraud' has no earlier version to roll back to.", stderr);
        Assert.Equal("{}", Assert.Single(api.Requests, r => r.Method == HttpMethod.Post).Body);
    }

    [Fact]
    public async Task History_TableListsEveryMove_JsonIsTheApisAnswer()
    {
        const string history = """
            {"name": "fraud", "alias": "production", "more": true, "moves": [
              {"at_utc": "2026-01-04T10:00:00Z", "from_version": "1", "to_version": "1", "by": "admin key", "reason": "canary", "kind": "set", "to_traffic": {"1": 95, "2": 5}, "to_routing_key": "x-routing-key"},
              {"at_utc": "2026-01-03T10:00:00Z", "from_version": "2", "to_version": "1", "by": "admin key", "reason": "regression", "kind": "rollback"},
              {"at_utc": "2026-01-02T10:00:00Z", "from_version": null, "to_version": "2", "by": "sweep sweep-1", "reason": null, "kind": "set"}]}
            """;
        var api = new FakeApi().On(HttpMethod.Get, "models/fraud/aliases/production/history", HttpStatusCode.OK, history);

        var (code, stdout, _) = await api.RunAsync("models", "history", "fraud", "--limit", "2");
        var (jsonCode, json, _) = await api.RunAsync("models", "history", "fraud", "-o", "json");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("limit=2", api.Requests[0].Query);
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("2026-01-03 10:00:00", StringComparison.Ordinal) && l.Contains("rollback") && l.Contains("admin key") && l.Contains("regression"));
        Assert.Contains(lines, l => l.Contains("sweep sweep-1") && l.Contains(" - "));
        Assert.Contains(lines, l => l.StartsWith("2026-01-04 10:00:00", StringComparison.Ordinal) && l.Contains("1:95 2:5") && l.Contains("canary"));
        Assert.Contains("older moves not shown", stdout);
        Assert.Equal(ExitCodes.Success, jsonCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(history), JsonNode.Parse(json)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public async Task History_LimitOutOfRange_IsAUsageError(string limit)
    {
        var api = new FakeApi();

        var (code, _, stderr) = await api.RunAsync("models", "history", "fraud", "--limit", limit);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("--limit", stderr);
        Assert.Empty(api.Requests);
    }

    private const string Split = """{"name": "fraud", "alias": "production", "version": "1", "updated_utc": "2026-01-03T00:00:00Z", "etag": "W/\"e3\"", "traffic": {"1": 90, "2": 10}, "routing_key": "x-user-id"}""";

    [Fact]
    public async Task Split_SendsTheWeightsAndRoutingKeyOnTheReadETag_AndShowsTheSplit()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Alias1)
            .On(HttpMethod.Put, "models/fraud/aliases/production", HttpStatusCode.OK, Split);

        var (code, stdout, stderr) = await api.RunAsync("models", "split", "fraud", "1=90", "2=10", "--routing-key", "x-user-id", "--reason", "canary");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", stderr);
        var put = Assert.Single(api.Requests, r => r.Method == HttpMethod.Put);
        Assert.Equal("W/\"e1\"", put.Headers["If-Match"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"reason": "canary", "traffic": {"1": 90, "2": 10}, "routing_key": "x-user-id"}"""), JsonNode.Parse(put.Body)));
        Assert.Contains("production of fraud: version 1 -> split 1:90 2:10", stdout);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("3=")]
    [InlineData("=90")]
    [InlineData("3=101")]
    [InlineData("3=-5")]
    [InlineData("3=9.5")]
    public async Task Split_WeightThatIsNotVersionEqualsPercent_IsAUsageError_NothingSent(string weight)
    {
        var api = new FakeApi();

        var (code, _, stderr) = await api.RunAsync("models", "split", "fraud", weight, "4=10");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("VERSION=PERCENT", stderr);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Split_SameVersionTwice_IsAUsageError()
    {
        var (code, _, stderr) = await new FakeApi().RunAsync("models", "split", "fraud", "3=50", "3=50");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("'3' is given twice", stderr);
    }

    [Fact]
    public async Task Alias_ShowsTheSplitAndRoutingKey()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Split);

        var (code, stdout, _) = await api.RunAsync("models", "alias", "fraud");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("production of fraud -> split 1:90 2:10", stdout);
        Assert.Contains("routing key: x-user-id", stdout);
    }

    [Fact]
    public async Task Rollback_FromASplit_SaysWhichSplitItLeft()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "models/fraud/aliases/production", HttpStatusCode.OK, Split)
            .On(HttpMethod.Post, "models/fraud/aliases/production/rollback", HttpStatusCode.OK, Alias1);

        var (code, stdout, _) = await api.RunAsync("models", "rollback", "fraud");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("production of fraud: split 1:90 2:10 -> version 1", stdout);
    }
}
