using System.Globalization;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Core.Rollouts;

/// <summary>What a run does with a running rollout.</summary>
public enum RolloutAction
{
    /// <summary>Stay on the step: it is healthy so far but not yet long enough, or a guard is still waiting for evidence.</summary>
    Hold,

    /// <summary>The step passed: move to the next one.</summary>
    Advance,

    /// <summary>The last step (100 %) passed: the alias points at the new version alone.</summary>
    Complete,

    /// <summary>A guard broke: the alias returns to the champion alone.</summary>
    RollBack,
}

/// <summary>A run's judgement of a rollout and why (the guard, its reading and its limit; or what a held step waits for).</summary>
public sealed record RolloutVerdict(RolloutAction Action, string Reason);

/// <summary>
/// The rollout state machine and its guard rules. Pure; thread-safe.
/// <list type="bullet">
/// <item>Error rate: breaks early, at any time in a step, only on strong evidence, when the Wilson lower bound of the error
/// rate (z = <see cref="EarlyBreachZ"/>, about 99.5 % one-sided) is above <c>max_error_rate</c>: 3 failures in 3 requests
/// break a 2 % limit, 1 in 20 does not. Otherwise the observed rate is judged at the step's end.</item>
/// <item>p95 latency: judged as soon as the step has its minimum requests (a p95 of fewer is mostly noise), at every run after.</item>
/// <item>Metric drop: judged at the step's end, once each version has enough labelled predictions
/// (<c>Monitoring:MinimumFeedbackRows</c>); until then the step is held, waiting for feedback.</item>
/// </list>
/// A step ends when it has lasted its minimum minutes and the new version served its minimum requests in it; a healthy
/// ended step advances, and the last one (100 %) completes the rollout.
/// </summary>
public static class RolloutJudge
{
    /// <summary>The z of the Wilson lower bound that breaks an error-rate guard before a step's end.</summary>
    public const double EarlyBreachZ = 2.576;

    /// <summary>The Wilson score interval's lower bound of <paramref name="events"/> in <paramref name="trials"/> at <paramref name="z"/>; 0 without trials.</summary>
    public static double WilsonLowerBound(long events, long trials, double z = EarlyBreachZ)
    {
        if (trials <= 0)
        {
            return 0;
        }

        var n = (double)trials;
        var p = events / n;
        var z2 = z * z;
        var centre = p + (z2 / (2 * n));
        var spread = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        return Math.Max(0, (centre - spread) / (1 + (z2 / n)));
    }

    /// <summary>
    /// The verdict on <paramref name="readings"/> at <paramref name="now"/>. Without <paramref name="withMetric"/> the metric guard is
    /// left out (a run reads the live metrics, which costs more, only when the step would otherwise pass, and judges again).
    /// </summary>
    public static RolloutVerdict Judge(AliasRollout rollout, RolloutReadings readings, DateTimeOffset now, bool withMetric = true)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(readings);
        var plan = rollout.Plan;
        var guards = plan.Guards;
        if (guards.MaxErrorRate is { } maxErrors && readings.Requests > 0 && readings.ErrorRateLowerBound > maxErrors)
        {
            return Breach($"error rate {Percent(readings.ErrorRate)} ({readings.Errors} of {readings.Requests} requests; lower bound {Percent(readings.ErrorRateLowerBound)}) " +
                $"is above max_error_rate {Percent(maxErrors)}");
        }

        var enoughRequests = readings.Requests >= plan.MinStepRequests;
        if (guards.MaxP95Ms is { } maxP95 && enoughRequests && readings.LatencyP95Ms > maxP95)
        {
            return Breach($"p95 latency {Ms(readings.LatencyP95Ms)} over {readings.Requests} requests is above max_p95_ms {Ms(maxP95)}");
        }

        var waited = now - rollout.StepStartedUtc;
        var minimum = TimeSpan.FromMinutes(plan.MinStepMinutes);
        if (!enoughRequests || waited < minimum)
        {
            return new RolloutVerdict(RolloutAction.Hold, string.Create(CultureInfo.InvariantCulture,
                $"step {rollout.Step + 1} at {rollout.Weight} %: {readings.Requests} of {plan.MinStepRequests} requests, {Math.Floor(waited.TotalMinutes)} of {plan.MinStepMinutes} minutes"));
        }

        if (guards.MaxErrorRate is { } limit && readings.ErrorRate > limit)
        {
            return Breach($"error rate {Percent(readings.ErrorRate)} ({readings.Errors} of {readings.Requests} requests) is above max_error_rate {Percent(limit)}");
        }

        if (withMetric && guards.MaxMetricDrop is { } maxDrop)
        {
            if (readings.MetricDrop is not { } drop)
            {
                return new RolloutVerdict(RolloutAction.Hold, readings.Note ?? "waiting for feedback to judge max_metric_drop");
            }

            if (drop > maxDrop)
            {
                return Breach(string.Create(CultureInfo.InvariantCulture,
                    $"live {readings.Metric} {readings.MetricValue:G4} is {drop:G4} worse than the champion's {readings.ChampionMetricValue:G4} ({readings.LabelledRows} and {readings.ChampionLabelledRows} labelled rows), above max_metric_drop {maxDrop:G4}"));
            }
        }

        var healthy = $"step {rollout.Step + 1} at {rollout.Weight} % passed: {Summary(readings)}";
        return rollout.Step == plan.Steps.Count - 1
            ? new RolloutVerdict(RolloutAction.Complete, healthy)
            : new RolloutVerdict(RolloutAction.Advance, healthy);
    }

    /// <summary>
    /// Where <paramref name="verdict"/> takes a running rollout, and the alias's traffic there; null for <see cref="RolloutAction.Hold"/>
    /// (the rollout stays, with its new readings).
    /// </summary>
    public static (AliasRollout Next, AliasTraffic Traffic, string MoveReason)? Apply(AliasRollout rollout, RolloutVerdict verdict, RolloutReadings readings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(verdict);
        var version = rollout.Plan.Version;
        var steps = rollout.Plan.Steps.Count;
        switch (verdict.Action)
        {
            case RolloutAction.Advance:
                var next = rollout with { Step = rollout.Step + 1, StepStartedUtc = now, Readings = readings };
                return (next, RolloutTraffic.Current(next),
                    $"rollout of version '{version}': step {next.Step + 1} of {steps}, {next.Weight} % ({verdict.Reason})");
            case RolloutAction.Complete:
                var completed = rollout with { State = RolloutState.Completed, EndedUtc = now, EndReason = $"all {steps} steps passed", Readings = readings };
                return (completed, AliasTraffic.Single(version), $"rollout of version '{version}' completed ({verdict.Reason})");
            case RolloutAction.RollBack:
                var why = $"guard broken at step {rollout.Step + 1} ({rollout.Weight} %): {verdict.Reason}";
                var rolledBack = rollout with { State = RolloutState.RolledBack, EndedUtc = now, EndReason = why, Readings = readings };
                return (rolledBack, AliasTraffic.Single(rollout.Champion), $"rollout of version '{version}' rolled back to '{rollout.Champion}': {why}");
            default:
                return null;
        }
    }

    private static RolloutVerdict Breach(string reason) => new(RolloutAction.RollBack, reason);

    private static string Summary(RolloutReadings r) =>
        $"{r.Requests} requests, error rate {Percent(r.ErrorRate)}, p95 {Ms(r.LatencyP95Ms)}" +
        (r.MetricDrop is { } drop ? string.Create(CultureInfo.InvariantCulture, $", {r.Metric} drop {drop:G4}") : "");

    private static string Percent(double? share) => share is { } s ? s.ToString("0.##%", CultureInfo.InvariantCulture).Replace("%", " %", StringComparison.Ordinal) : "n/a";

    private static string Ms(double? ms) => ms is { } m ? m.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "n/a";
}
