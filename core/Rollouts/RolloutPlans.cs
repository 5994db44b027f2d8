using System.Globalization;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Core.Rollouts;

/// <summary>Makes a <see cref="RolloutPlan"/> from what a caller wrote, each mistake a BadRequest naming the field. Pure; thread-safe.</summary>
public static class RolloutPlans
{
    /// <summary>The most a p95 latency guard may allow: an hour.</summary>
    public const double MaxP95Limit = 3_600_000;

    /// <summary>
    /// A plan: <paramref name="version"/> a valid version; <paramref name="steps"/> 1 to <see cref="RolloutPlan.MaxSteps"/> strictly
    /// increasing whole percent from 1, the last 100; <paramref name="minStepMinutes"/> 0 to <see cref="RolloutPlan.MaxStepMinutes"/>;
    /// <paramref name="minStepRequests"/> 1 to <see cref="RolloutPlan.MaxStepRequests"/>; guards: <c>max_error_rate</c> from 0 to 1,
    /// <c>max_p95_ms</c> above 0 up to an hour, <c>max_metric_drop</c> from 0 (each finite); <paramref name="routingKey"/> as a split's.
    /// </summary>
    public static RolloutPlan Create(string version, IReadOnlyList<int> steps, int minStepMinutes, int minStepRequests, RolloutGuards guards, string? routingKey)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(guards);
        ModelIdentifiers.ValidateVersion(version);
        if (steps.Count is 0 or > RolloutPlan.MaxSteps)
        {
            throw ServingException.BadRequest($"'steps' must hold 1 to {RolloutPlan.MaxSteps} weights (was {steps.Count}), for example [5, 25, 50, 100].");
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is < 1 or > 100 || (i > 0 && steps[i] <= steps[i - 1]))
            {
                throw ServingException.BadRequest(
                    $"'steps' must be strictly increasing whole percent from 1 to 100 (step {i + 1} is {steps[i]}{(i > 0 ? $" after {steps[i - 1]}" : "")}).");
            }
        }

        if (steps[^1] != 100)
        {
            throw ServingException.BadRequest($"'steps' must end at 100, so the new version takes all traffic at the last step (it ends at {steps[^1]}).");
        }

        if (minStepMinutes is < 0 or > RolloutPlan.MaxStepMinutes)
        {
            throw ServingException.BadRequest($"'min_step_minutes' must be a whole number from 0 to {RolloutPlan.MaxStepMinutes} (was {minStepMinutes}).");
        }

        if (minStepRequests is < 1 or > RolloutPlan.MaxStepRequests)
        {
            throw ServingException.BadRequest($"'min_step_requests' must be a whole number from 1 to {RolloutPlan.MaxStepRequests} (was {minStepRequests}).");
        }

        Check("max_error_rate", guards.MaxErrorRate, 0, 1, zeroAllowed: true);
        Check("max_p95_ms", guards.MaxP95Ms, 0, MaxP95Limit, zeroAllowed: false);
        Check("max_metric_drop", guards.MaxMetricDrop, 0, 1_000_000, zeroAllowed: true);
        return new RolloutPlan(version, steps.ToArray(), minStepMinutes, minStepRequests, guards, AliasTrafficRules.ValidateRoutingKey(routingKey));
    }

    private static void Check(string field, double? value, double min, double max, bool zeroAllowed)
    {
        if (value is { } v && (!double.IsFinite(v) || v < min || v > max || (!zeroAllowed && v <= min)))
        {
            throw ServingException.BadRequest(string.Create(CultureInfo.InvariantCulture,
                $"'guards.{field}' must be a number {(zeroAllowed ? "from" : "above")} {min} {(zeroAllowed ? "to" : "up to")} {max} (was {v})."));
        }
    }
}
