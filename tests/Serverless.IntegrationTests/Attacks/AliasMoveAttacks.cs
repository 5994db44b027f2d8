using System.Net;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// The alias history and rollback routes under attack: oversized and malformed bodies, reasons that are too long or not
/// text, names that are not identifiers, limits far out of range, stale ETags, an alias with nothing to roll back to.
/// Each is refused naming the problem, the runner stays flat, and no move is recorded.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class AliasMoveAttacks
{
    private const long SmallGrowth = 32L * 1024 * 1024;
    private static readonly string Aliases = $"models/{AttackFixture.Model}/aliases";

    private readonly AttackFixture _target;

    public AliasMoveAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string> BadRollbackBodies => new()
    {
        { "[1, 2, 3]", "JSON object" },
        { "\"reason\"", "JSON object" },
        { "{\"reason\": ", "JSON" },
        { "{\"reason\": 42}", "'reason'" },
        { "{\"reason\": {\"text\": \"x\"}}", "'reason'" },
        { "{\"reason\": \"" + new string('r', 501) + "\"}", "'reason'" },
        { "{\"reason\": \"" + new string('r', 60_000) + "\"}", "'reason'" },
        { new string('[', 30_000) + new string(']', 30_000), "JSON" },
    };

    public static TheoryData<string, string> BadSplitBodies => new()
    {
        { """{"traffic": {"1": 90, "2": 20}}""", "sum to 100" },
        { """{"traffic": {"1": 110, "2": -10}}""", "from 0 to 100" },
        { """{"traffic": {"1": 90.5, "2": 9.5}}""", "whole number" },
        { """{"traffic": {"1": "90", "2": 10}}""", "whole number" },
        { "{\"traffic\": {" + string.Join(", ", Enumerable.Range(0, 3_000).Select(i => $"\"v{i}\": 0")) + "}}", "1 to 10 versions" },
        { "{\"traffic\": {\"" + new string('9', 30_000) + "\": 100}}", "'traffic'" },
        { """{"traffic": {"1": 90, "../../x": 10}}""", "'traffic'" },
        { """{"traffic": {"1": 90, "2": 10}, "routing_key": "x user\r\nset-cookie"}""", "'routing_key'" },
        { """{"traffic": {"1": 90, "2": 10}, "routing_key": "Authorization"}""", "'routing_key'" },
        { "{\"traffic\": {\"1\": 90, \"2\": 10}, \"routing_key\": \"" + new string('k', 40_000) + "\"}", "'routing_key'" },
        { """{"traffic": [["1", 90]]}""", "'traffic'" },
        { """{"version": "1", "traffic": {"1": 100}}""", "not both" },
    };

    [Theory]
    [MemberData(nameof(BadSplitBodies))]
    public async Task SetAlias_BadSplit_Is400NamingTheProblem_WithoutEchoingIt(string body, string errorNames)
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Aliases}/production", body), HttpStatusCode.BadRequest, errorNames, SmallGrowth);

        Assert.True(answer.Error!.Length < 400, answer.Error);
    }

    [Fact]
    public async Task SetAlias_SplitToAnUnknownVersion_Is404NamingIt()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Aliases}/production", """{"traffic": {"1": 90, "404": 10}}"""),
            HttpStatusCode.NotFound, "'404'", SmallGrowth);
    }

    public static TheoryData<string, string> BadMirrorBodies => new()
    {
        { """{"version": "1", "mirror": {"version": "2", "percent": 0}}""", "'mirror'" },
        { """{"version": "1", "mirror": {"version": "2", "percent": 101}}""", "'mirror'" },
        { """{"version": "1", "mirror": {"version": "2", "percent": 1e300}}""", "'mirror'" },
        { """{"version": "1", "mirror": {"version": "2", "percent": "50"}}""", "'mirror'" },
        { """{"version": "1", "mirror": {"version": "1", "percent": 50}}""", "already serves" },
        { """{"version": "1", "mirror": {"version": "../../x", "percent": 50}}""", "'mirror'" },
        { "{\"version\": \"1\", \"mirror\": {\"version\": \"" + new string('9', 30_000) + "\", \"percent\": 50}}", "'mirror'" },
        { "{\"version\": \"1\", \"mirror\": {\"version\": \"2\", \"percent\": 50, \"" + new string('k', 30_000) + "\": 1}}", "'mirror'" },
        { """{"version": "1", "mirror": [{"version": "2", "percent": 50}]}""", "'mirror'" },
        { """{"version": "1", "mirror": {"version": {"$ne": null}, "percent": 50}}""", "'mirror'" },
    };

    [Theory]
    [MemberData(nameof(BadMirrorBodies))]
    public async Task SetAlias_BadMirror_Is400NamingMirror_WithoutEchoingIt(string body, string errorNames)
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Aliases}/production", body), HttpStatusCode.BadRequest, errorNames, SmallGrowth);

        Assert.True(answer.Error!.Length < 400, answer.Error);
    }

    [Fact]
    public async Task SetAlias_MirrorToAnUnknownVersion_Is404NamingIt()
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Aliases}/production", """{"version": "1", "mirror": {"version": "77", "percent": 50}}"""),
            HttpStatusCode.NotFound, "'77'", SmallGrowth);

        Assert.Equal("version_not_found", answer.Json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task SetAlias_SplitBodyOverTheLimit_Is413()
    {
        var body = "{\"traffic\": {\"1\": 100}, \"reason\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";

        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Aliases}/production", body), HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);
    }

    [Theory]
    [MemberData(nameof(BadRollbackBodies))]
    public async Task Rollback_MalformedBody_Is400NamingTheProblem(string body, string errorNames)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"{Aliases}/production/rollback", body), HttpStatusCode.BadRequest, errorNames, SmallGrowth);
    }

    [Fact]
    public async Task Rollback_BodyOverTheLimit_Is413()
    {
        var body = "{\"reason\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"{Aliases}/production/rollback", body), HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);
    }

    [Fact]
    public async Task SetAlias_ReasonOfAMegabyteMinusALittle_Is400NamingIt()
    {
        var body = "{\"version\": \"1\", \"reason\": \"" + new string('x', 60_000) + "\"}";

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Aliases}/production", body), HttpStatusCode.BadRequest, "'reason'", SmallGrowth);

        Assert.True(answer.Error!.Length < 400, answer.Error);
    }

    [Fact]
    public async Task Rollback_AliasSetOnlyOnce_Is409AndRecordsNothing()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Post, $"{Aliases}/production/rollback"), HttpStatusCode.Conflict, "nothing to roll back", SmallGrowth);
    }

    [Fact]
    public async Task Rollback_ForgedIfMatch_Is412()
    {
        var forged = "W/\"" + new string('e', 4000) + "\"";

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Post, $"{Aliases}/production/rollback", null,
            new Dictionary<string, string> { ["If-Match"] = forged }), HttpStatusCode.PreconditionFailed, "If-Match", SmallGrowth);

        Assert.True(answer.Error!.Length < 400, answer.Error);
    }

    [Fact]
    public async Task Rollback_AliasThatNeverExisted_Is404()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Post, $"{Aliases}/never/rollback"), HttpStatusCode.NotFound, "never", SmallGrowth);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("99999999999999999999")]
    [InlineData("-1")]
    [InlineData("1e2")]
    [InlineData("all")]
    public async Task History_LimitOutOfRange_Is400NamingIt(string limit)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync($"{Aliases}/production/history?limit={Uri.EscapeDataString(limit)}"),
            HttpStatusCode.BadRequest, "'limit'", SmallGrowth);
    }

    [Theory]
    [InlineData("history")]
    [InlineData("rollback")]
    public async Task AliasRoutes_NamesThatAreNotIdentifiers_Are400(string route)
    {
        foreach (var (model, alias) in new[] { ("victim", "1production"), ("victim", "prod%20uction"), ("vic%25tim", "production"), ("victim", new string('a', 64)) })
        {
            var path = $"models/{model}/aliases/{alias}/{route}";
            await Attack.RefusedAsync(_target, () => route == "history"
                ? _target.Operator.GetJsonAsync(path)
                : _target.Operator.SendAsync(HttpMethod.Post, path), HttpStatusCode.BadRequest, "use 1-63", SmallGrowth);
        }
    }
}

