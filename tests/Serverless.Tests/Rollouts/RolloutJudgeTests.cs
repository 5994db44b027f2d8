using Serverless.Core.Models;
using Serverless.Core.Rollouts;
using static Serverless.Tests.Rollouts.RolloutTestData;

namespace Serverless.Tests.Rollouts;

/// <summary>The rollout state machine and its guard rules: early breach on strong evidence only, judgement at the step's end, advance and completion.</summary>
public sealed class RolloutJudgeTests
{
    private static readonly DateTimeOffset AfterStep = Start.AddMinutes(11);
    private static readonly DateTimeOffset MidStep = Start.AddMinutes(3);

    [Theory]
    [InlineData(3, 3, 0.31, 0.32)]
    [InlineData(1, 20, 0.0055, 0.0065)]
    [InlineData(0, 1000, 0, 0.0001)]
    [InlineData(50, 1000, 0.035, 0.036)]
    public void WilsonLowerBound_KnownCases_MatchTheFormula(long errors, long requests, double low, double high)
    {
        Assert.InRange(RolloutJudge.WilsonLowerBound(errors, requests), low, high);
    }

    [Fact]
    public void Judge_ThreeFailuresOfThreeMidStep_BreaksTheErrorGuardEarly()
    {
        var verdict = RolloutJudge.Judge(Rollout(), Readings(3, 3), MidStep);

        Assert.Equal(RolloutAction.RollBack, verdict.Action);
        Assert.Contains("max_error_rate 2 %", verdict.Reason);
        Assert.Contains("3 of 3 requests", verdict.Reason);
    }

    [Fact]
    public void Judge_OneFailureOfTwentyMidStep_IsWeakEvidence_AndHolds()
    {
        var verdict = RolloutJudge.Judge(Rollout(), Readings(20, 1), MidStep);

        Assert.Equal(RolloutAction.Hold, verdict.Action);
        Assert.Contains("20 of 200 requests", verdict.Reason);
    }

    [Fact]
    public void Judge_RateAboveTheLimitAtTheStepsEnd_RollsBack()
    {
        var verdict = RolloutJudge.Judge(Rollout(), Readings(400, 12), AfterStep);

        Assert.Equal(RolloutAction.RollBack, verdict.Action);
        Assert.Contains("12 of 400", verdict.Reason);
    }

    [Fact]
    public void Judge_SlowP95BeforeTheMinimumRequests_IsNotJudgedYet()
    {
        var verdict = RolloutJudge.Judge(Rollout(), Readings(199, p95: 500), AfterStep);

        Assert.Equal(RolloutAction.Hold, verdict.Action);
    }

    [Fact]
    public void Judge_SlowP95WithTheMinimumRequests_RollsBackEvenMidStep()
    {
        var verdict = RolloutJudge.Judge(Rollout(), Readings(200, p95: 80), MidStep);

        Assert.Equal(RolloutAction.RollBack, verdict.Action);
        Assert.Contains("p95 latency 80 ms over 200 requests is above max_p95_ms 50 ms", verdict.Reason);
    }

    [Fact]
    public void Judge_HealthyButTooSoon_Holds()
    {
        var verdict = RolloutJudge.Judge(Rollout(), Readings(1000), MidStep);

        Assert.Equal(RolloutAction.Hold, verdict.Action);
        Assert.Contains("3 of 10 minutes", verdict.Reason);
    }

    [Fact]
    public void Judge_HealthyAtTheStepsEnd_Advances_AndApplyMovesToTheNextSplit()
    {
        var rollout = Rollout(step: 1);
        var readings = Readings(300, 1);

        var verdict = RolloutJudge.Judge(rollout, readings, AfterStep);
        var (next, traffic, reason) = RolloutJudge.Apply(rollout, verdict, readings, AfterStep)!.Value;

        Assert.Equal(RolloutAction.Advance, verdict.Action);
        Assert.Equal((2, 50, AfterStep, RolloutState.Running), (next.Step, next.Weight, next.StepStartedUtc, next.State));
        Assert.Equal("""{"3":50,"4":50}""", traffic.ToJson());
        Assert.Contains("step 3 of 4, 50 %", reason);
    }

    [Fact]
    public void Judge_LastStepHealthy_Completes_OnTheNewVersionAlone()
    {
        var rollout = Rollout(step: 3);
        var readings = Readings(300);

        var verdict = RolloutJudge.Judge(rollout, readings, AfterStep);
        var (next, traffic, _) = RolloutJudge.Apply(rollout, verdict, readings, AfterStep)!.Value;

        Assert.Equal(RolloutAction.Complete, verdict.Action);
        Assert.Equal(RolloutState.Completed, next.State);
        Assert.Equal(AliasTraffic.Single("4"), traffic);
        Assert.Equal(AfterStep, next.EndedUtc);
    }

    [Fact]
    public void Apply_RollBack_ReturnsToTheChampionAlone_WithTheReason()
    {
        var rollout = Rollout(step: 2);
        var readings = Readings(5, 5);

        var verdict = RolloutJudge.Judge(rollout, readings, MidStep);
        var (next, traffic, reason) = RolloutJudge.Apply(rollout, verdict, readings, MidStep)!.Value;

        Assert.Equal(RolloutState.RolledBack, next.State);
        Assert.Equal(AliasTraffic.Single("3"), traffic);
        Assert.StartsWith("guard broken at step 3 (50 %): error rate 100 %", next.EndReason);
        Assert.Contains("rolled back to '3'", reason);
        Assert.Same(readings, next.Readings);
    }

    [Fact]
    public void Judge_MetricGuardWithoutEnoughFeedbackAtTheStepsEnd_HoldsSayingWhy()
    {
        var rollout = Rollout(guards: new RolloutGuards(null, null, 0.05));

        var verdict = RolloutJudge.Judge(rollout, Readings(300, note: "waiting for feedback: 3 labelled"), AfterStep);

        Assert.Equal(RolloutAction.Hold, verdict.Action);
        Assert.Equal("waiting for feedback: 3 labelled", verdict.Reason);
    }

    [Theory]
    [InlineData(0.08, RolloutAction.RollBack)]
    [InlineData(0.02, RolloutAction.Advance)]
    [InlineData(-0.1, RolloutAction.Advance)]
    public void Judge_MetricDrop_AgainstTheLimit(double drop, RolloutAction expected)
    {
        var verdict = RolloutJudge.Judge(Rollout(guards: new RolloutGuards(null, null, 0.05)), Readings(300, drop: drop), AfterStep);

        Assert.Equal(expected, verdict.Action);
    }

    [Fact]
    public void Judge_NoGuards_AdvancesOnTimeAndRequestsAlone()
    {
        var verdict = RolloutJudge.Judge(Rollout(guards: RolloutGuards.None), Readings(200, 200, p95: 9_999), AfterStep);

        Assert.Equal(RolloutAction.Advance, verdict.Action);
        Assert.Null(RolloutJudge.Apply(Rollout(), new RolloutVerdict(RolloutAction.Hold, "wait"), Readings(1), MidStep));
    }

    [Fact]
    public void Judge_WithoutTheMetric_PassesAStepTheMetricWouldStillHold()
    {
        var rollout = Rollout(guards: new RolloutGuards(null, null, 0.05));

        Assert.Equal(RolloutAction.Advance, RolloutJudge.Judge(rollout, Readings(300), AfterStep, withMetric: false).Action);
        Assert.Equal(RolloutAction.Hold, RolloutJudge.Judge(rollout, Readings(300), AfterStep).Action);
    }
}
