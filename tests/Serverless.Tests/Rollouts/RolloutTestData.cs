using Serverless.Core.Models;

namespace Serverless.Tests.Rollouts;

/// <summary>Rollouts and readings for the rollout tests.</summary>
internal static class RolloutTestData
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static AliasRollout Rollout(int step = 0, RolloutGuards? guards = null, int minMinutes = 10, int minRequests = 200, int[]? steps = null) =>
        new(new RolloutPlan("4", steps ?? [5, 25, 50, 100], minMinutes, minRequests, guards ?? new RolloutGuards(0.02, 50, null), "x-routing-key"),
            "3", step, Start, Start, RolloutState.Running, "alice", "canary")
        {
            ETag = "rollout-etag",
        };

    public static RolloutReadings Readings(long requests, long errors = 0, double? p95 = 10, double? drop = null, string? note = null) =>
        new(Start, Start, requests, errors, requests > 0 ? (double)errors / requests : null,
            requests > 0 ? Core.Rollouts.RolloutJudge.WilsonLowerBound(errors, requests) : null, requests > 0 ? p95 : null,
            drop is null ? null : "auc", drop is null ? null : 0.8 - drop, drop is null ? null : 0.8, drop is null ? 0 : 100, drop is null ? 0 : 100, drop, note);
}
