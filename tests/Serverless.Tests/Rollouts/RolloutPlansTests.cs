using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Rollouts;

namespace Serverless.Tests.Rollouts;

/// <summary>Rollout plans as callers write them: every mistake a 400 naming the field.</summary>
public sealed class RolloutPlansTests
{
    private static readonly RolloutGuards Guards = new(0.02, 50, 0.05);

    [Fact]
    public void Create_ValidPlan_KeepsItsStepsAndLowerCasesTheRoutingKey()
    {
        var plan = RolloutPlans.Create("4", [5, 25, 50, 100], 10, 200, Guards, "X-User-Id");

        Assert.Equal([5, 25, 50, 100], plan.Steps);
        Assert.Equal("x-user-id", plan.RoutingKey);
        Assert.Equal("x-routing-key", RolloutPlans.Create("4", [100], 0, 1, RolloutGuards.None, null).RoutingKey);
    }

    [Theory]
    [InlineData(new int[0], "'steps'")]
    [InlineData(new[] { 5, 5, 100 }, "strictly increasing")]
    [InlineData(new[] { 50, 25, 100 }, "strictly increasing")]
    [InlineData(new[] { 0, 100 }, "'steps'")]
    [InlineData(new[] { 5, 101 }, "'steps'")]
    [InlineData(new[] { 5, 50 }, "end at 100")]
    public void Create_BadSteps_Is400NamingSteps(int[] steps, string expected)
    {
        var error = Assert.Throws<ServingException>(() => RolloutPlans.Create("4", steps, 10, 200, Guards, null));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(-1, 200, "'min_step_minutes'")]
    [InlineData(RolloutPlan.MaxStepMinutes + 1, 200, "'min_step_minutes'")]
    [InlineData(10, 0, "'min_step_requests'")]
    [InlineData(10, RolloutPlan.MaxStepRequests + 1, "'min_step_requests'")]
    public void Create_MinimumsOutOfRange_Is400NamingThem(int minutes, int requests, string expected)
    {
        var error = Assert.Throws<ServingException>(() => RolloutPlans.Create("4", [100], minutes, requests, Guards, null));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(1.5, null, null, "'guards.max_error_rate'")]
    [InlineData(-0.1, null, null, "'guards.max_error_rate'")]
    [InlineData(null, 0.0, null, "'guards.max_p95_ms'")]
    [InlineData(null, double.PositiveInfinity, null, "'guards.max_p95_ms'")]
    [InlineData(null, null, double.NaN, "'guards.max_metric_drop'")]
    [InlineData(null, null, -1.0, "'guards.max_metric_drop'")]
    public void Create_GuardOutOfBounds_Is400NamingIt(double? errors, double? p95, double? drop, string expected)
    {
        var error = Assert.Throws<ServingException>(() => RolloutPlans.Create("4", [100], 10, 200, new RolloutGuards(errors, p95, drop), null));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Create_CredentialHeaderAsRoutingKey_Is400NamingIt()
    {
        var error = Assert.Throws<ServingException>(() => RolloutPlans.Create("4", [100], 10, 200, Guards, "Authorization"));

        Assert.Contains("'routing_key'", error.Message);
    }
}
