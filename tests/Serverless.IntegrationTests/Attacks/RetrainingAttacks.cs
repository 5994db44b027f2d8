using System.Net;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// The retraining routes under attack: malformed, oversized and out-of-range policies, sweep templates that try to set the
/// dataset or reach another container, forged ETags, run ids that are paths, runs and answers for what does not exist.
/// Each is refused naming the problem without echoing it, the runner stays flat, and nothing is stored (no policy, no run).
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class RetrainingAttacks
{
    private const long SmallGrowth = 32L * 1024 * 1024;
    private const string Sweep = """{"target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "sdca"}]}""";
    private static readonly string Policy = $"models/{AttackFixture.Model}/retraining";

    private readonly AttackFixture _target;

    public RetrainingAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string> BadPolicies => new()
    {
        { "[1, 2]", "object" },
        { "{\"triggers\": ", "JSON" },
        { $$$"""{"triggers": ["decay"], "sweep": {{{Sweep}}}}""", "'data'" },
        { $$$"""{"triggers": ["rm -rf"], "data": {}, "sweep": {{{Sweep}}}}""", "'triggers'" },
        { $$$"""{"triggers": ["schedule"], "data": {}, "sweep": {{{Sweep}}}}""", "'schedule_hours'" },
        { $$$"""{"triggers": ["decay"], "data": {"source": "both", "reference_dataset": "models/victim/1.onnx"}, "sweep": {{{Sweep}}}}""", "'data.reference_dataset'" },
        { $$$"""{"triggers": ["decay"], "data": {"source": "reference", "reference_dataset": "https://169.254.169.254/x.csv"}, "sweep": {{{Sweep}}}}""", "'data.reference_dataset'" },
        { $$$"""{"triggers": ["decay"], "data": {"window_hours": 1e999}, "sweep": {{{Sweep}}}}""", "'data.window_hours'" },
        { """{"triggers": ["decay"], "data": {}, "sweep": {"dataset": "models/victim/1.onnx", "target": "y"}}""", "'sweep.dataset' is set by the loop" },
        { """{"triggers": ["decay"], "data": {}, "sweep": {"target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "sdca"}], "warm_start_from": {"version": "1", "model": "victim"}}}""", "'sweep.warm_start_from' is set by the loop" },
        { """{"triggers": ["decay"], "data": {}, "sweep": {"target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "xgboost"}]}}""", "'sweep': Unknown algorithm" },
        { """{"triggers": ["decay"], "data": {}, "sweep": {"target": "y", "tsk": "binary"}}""", "'sweep'" },
        { $$$"""{"triggers": ["decay"], "data": {}, "sweep": {{{Sweep}}}, "rollout": {"steps": [50, 40, 100]}}""", "'rollout.steps'" },
        { $$$"""{"triggers": ["decay"], "data": {}, "sweep": {{{Sweep}}}, "guardrails": {"max_runs_per_day": 1000000}}""", "'guardrails.max_runs_per_day'" },
        { $$$"""{"triggers": ["decay"], "data": {}, "sweep": {{{Sweep}}}, "alias": "$root"}""", "'alias'" },
        { $$$"""{"triggers": ["decay"], "data": {}, "sweep": {{{Sweep}}}, "colour": "red"}""", "unknown field" },
        { new string('[', 8_000) + new string(']', 8_000), "object" },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public async Task SetPolicy_BadPolicy_Is400NamingTheProblem_WithoutEchoingIt(string body, string errorNames)
    {
        await ArrangeAsync();

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Policy, body), HttpStatusCode.BadRequest, errorNames, SmallGrowth);

        Assert.True(answer.Error.Length < 400, answer.Error);
        Assert.DoesNotContain("169.254", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetPolicy_BodyOverTheLimit_Is413()
    {
        await ArrangeAsync();
        var body = $$$"""{"triggers": ["decay"], "data": {}, "sweep": {{{Sweep}}}, "alias": "{{{new string('x', 2 * 1024 * 1024)}}}"}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Policy, body), HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);
    }

    [Fact]
    public async Task SetPolicy_ForgedIfMatch_Is412()
    {
        await ArrangeAsync();
        var body = $$$"""{"triggers": ["decay"], "data": {}, "sweep": {{{Sweep}}}}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Policy, body, new Dictionary<string, string> { ["If-Match"] = "W/\"forged\"" }),
            HttpStatusCode.PreconditionFailed, "If-Match", SmallGrowth);
    }

    [Fact]
    public async Task SetPolicy_ModelWithoutVersions_Is404()
    {
        await ArrangeAsync();
        var body = $$$"""{"triggers": ["decay"], "data": {}, "sweep": {{{Sweep}}}}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync("models/victim-nobody/retraining", body), HttpStatusCode.NotFound, "victim-nobody", SmallGrowth);
    }

    [Fact]
    public async Task StartRun_WithoutAPolicy_Is404_AndWithJunk_Is400()
    {
        await ArrangeAsync();

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"{Policy}/runs", ""), HttpStatusCode.NotFound, "no retraining policy", SmallGrowth);
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"{Policy}/runs", """{"reason": 5}"""), HttpStatusCode.BadRequest, "'reason'", SmallGrowth);
    }

    [Theory]
    [InlineData("runs/..%2F..%2Fpolicy", HttpStatusCode.BadRequest, "'run'")]
    [InlineData("runs/rt-20260101-000000-abcdef", HttpStatusCode.NotFound, "no retraining run")]
    public async Task GetRun_PathOrUnknownId_IsRefused(string path, HttpStatusCode status, string errorNames)
    {
        await ArrangeAsync();

        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync($"{Policy}/{path}"), status, errorNames, SmallGrowth);
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("reject")]
    public async Task Answer_UnknownOrMalformedRun_IsRefused(string answer)
    {
        await ArrangeAsync();

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"{Policy}/rt-20260101-000000-abcdef/{answer}", ""), HttpStatusCode.NotFound, "no retraining run", SmallGrowth);
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"{Policy}/%24root/{answer}", ""), HttpStatusCode.BadRequest, "'run'", SmallGrowth);
    }

    /// <summary>Reads the policy (absent), so the retraining table exists before an attack's snapshot.</summary>
    private async Task ArrangeAsync()
    {
        var read = await _target.Operator.GetJsonAsync(Policy);
        Assert.Equal(HttpStatusCode.NotFound, read.Status);
    }
}
