using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>Where a rollout sends an alias's traffic. Pure; thread-safe.</summary>
public static class RolloutTraffic
{
    /// <summary>
    /// The split of a step giving the new version <paramref name="weight"/> percent and the champion the rest (the champion
    /// stays at 0 in the last step, so the rollout can still return to it); routed by the plan's routing key.
    /// </summary>
    public static AliasTraffic At(RolloutPlan plan, string champion, int weight) =>
        AliasTrafficRules.Create([new(champion, 100 - weight), new(plan.Version, weight)], plan.RoutingKey);

    /// <summary>The split of the rollout's current step.</summary>
    public static AliasTraffic Current(AliasRollout rollout) => At(rollout.Plan, rollout.Champion, rollout.Weight);
}
