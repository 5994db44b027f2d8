using System.Net;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// The rollout routes under attack: malformed, oversized and out-of-range plans, misspelt guards, unknown versions and aliases,
/// forged ETags, aborts of nothing, bodies on the run route. Each is refused naming the problem without echoing it, the runner
/// stays flat, and nothing is stored (no rollout, no alias move).
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class RolloutAttacks
{
    private const long SmallGrowth = 32L * 1024 * 1024;
    private static readonly string Rollout = $"models/{AttackFixture.Model}/aliases/production/rollout";

    private readonly AttackFixture _target;

    public RolloutAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string> BadPlans => new()
    {
        { "[1, 2, 3]", "JSON object" },
        { "{\"version\": ", "JSON" },
        { """{"steps": [50, 100]}""", "'version'" },
        { """{"version": "1", "steps": [50, 40, 100]}""", "strictly increasing" },
        { """{"version": "1", "steps": [50, 90]}""", "end at 100" },
        { """{"version": "1", "steps": [0.5, 100]}""", "'steps'" },
        { """{"version": "1", "steps": "5,100"}""", "'steps'" },
        { "{\"version\": \"1\", \"steps\": [" + string.Join(", ", Enumerable.Range(1, 2_000)) + "]}", "'steps'" },
        { """{"version": "1", "steps": [100], "min_step_minutes": -5}""", "'min_step_minutes'" },
        { """{"version": "1", "steps": [100], "min_step_requests": 99999999999}""", "'min_step_requests'" },
        { """{"version": "1", "steps": [100], "guards": {"max_error_rate": 2}}""", "'guards.max_error_rate'" },
        { """{"version": "1", "steps": [100], "guards": {"max_p95_ms": 1e999}}""", "'guards.max_p95_ms'" },
        { """{"version": "1", "steps": [100], "guards": {"max_eror_rate": 0.02}}""", "unknown field" },
        { """{"version": "1", "steps": [100], "gaurds": {}}""", "unknown field" },
        { """{"version": "1", "steps": [100], "guards": [0.02]}""", "'guards'" },
        { """{"version": "../../x", "steps": [100]}""", "invalid version" },
        { """{"version": "1", "steps": [100], "routing_key": "Cookie"}""", "'routing_key'" },
        { "{\"version\": \"1\", \"steps\": [100], \"reason\": \"" + new string('r', 10_000) + "\"}", "'reason'" },
        { new string('[', 8_000) + new string(']', 8_000), "JSON" },
    };

    [Theory]
    [MemberData(nameof(BadPlans))]
    public async Task Start_BadPlan_Is400NamingTheProblem_WithoutEchoingIt(string body, string errorNames)
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Rollout, body), HttpStatusCode.BadRequest, errorNames, SmallGrowth);

        Assert.True(answer.Error.Length < 400, answer.Error);
    }

    [Fact]
    public async Task Start_BodyOverTheLimit_Is413()
    {
        var body = "{\"version\": \"1\", \"steps\": [100], \"reason\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";

        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Rollout, body), HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);
    }

    [Fact]
    public async Task Start_UnknownVersion_Is404NamingIt()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Rollout, """{"version": "404", "steps": [100]}"""), HttpStatusCode.NotFound, "'404'", SmallGrowth);
    }

    [Fact]
    public async Task Start_AliasThatNeverExisted_Is404()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"models/{AttackFixture.Model}/aliases/never/rollout", """{"version": "1", "steps": [100]}"""),
            HttpStatusCode.NotFound, "never", SmallGrowth);
    }

    [Fact]
    public async Task Start_ToTheVersionTheAliasAlreadyHas_Is409()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Rollout, """{"version": "1", "steps": [100]}"""), HttpStatusCode.Conflict, "already points", SmallGrowth);
    }

    [Fact]
    public async Task Start_ForgedIfMatch_Is412WithoutEchoingIt()
    {
        var forged = "W/\"" + new string('e', 4000) + "\"";

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Rollout, """{"version": "1", "steps": [100]}""",
            new Dictionary<string, string> { ["If-Match"] = forged }), HttpStatusCode.PreconditionFailed, "If-Match", SmallGrowth);

        Assert.True(answer.Error.Length < 400, answer.Error);
    }

    [Fact]
    public async Task Abort_NothingRunning_Is409_AndABadBodyIs400()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.DeleteJsonAsync(Rollout), HttpStatusCode.Conflict, "no rollout", SmallGrowth);
        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Delete, Rollout, new StringContent("""{"why": "x"}""", System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "unknown field", SmallGrowth);
    }

    [Theory]
    [InlineData("""{"model": "victim"}""")]
    [InlineData("[]")]
    [InlineData("{\"x\": \"" + "yyyyyyyyyy" + "\"}")]
    public async Task Run_WithABody_Is400(string body)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("rollouts/runs", body), HttpStatusCode.BadRequest, "must be empty", SmallGrowth);
    }

    [Fact]
    public async Task Run_BodyOverTheLimit_Is413()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("rollouts/runs", new string(' ', 2 * 1024 * 1024)), HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);
    }

    [Theory]
    [InlineData("1production")]
    [InlineData("prod%20uction")]
    public async Task RolloutRoutes_AliasNotAnIdentifier_Is400(string alias)
    {
        var path = $"models/{AttackFixture.Model}/aliases/{alias}/rollout";
        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(path, """{"version": "1", "steps": [100]}"""), HttpStatusCode.BadRequest, "use 1-63", SmallGrowth);
        await Attack.RefusedAsync(_target, () => _target.Operator.DeleteJsonAsync(path), HttpStatusCode.BadRequest, "use 1-63", SmallGrowth);
    }
}
