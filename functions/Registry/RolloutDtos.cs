using Serverless.Core.Models;
using Serverless.Core.Rollouts;

namespace Serverless.Functions.Registry;

/// <summary>
/// The body of <c>PUT models/{name}/aliases/{alias}/rollout</c>: the version to roll out; its steps (strictly increasing whole
/// percent of traffic from 1, ending at 100); how long (minutes, default 10) and for how many of the new version's requests
/// (default 100) each step lasts at least; the guards (each optional); the routing key of the split (default x-routing-key);
/// and why (at most 500 characters, kept in the alias's history). Unknown fields are refused, so a misspelt guard is never silently off.
/// </summary>
public sealed record StartRolloutRequest(
    string Version,
    IReadOnlyList<int> Steps,
    int? MinStepMinutes = null,
    int? MinStepRequests = null,
    RolloutGuardsBody? Guards = null,
    string? RoutingKey = null,
    string? Reason = null);

/// <summary>
/// A rollout's guards, each optional: the highest error rate (a share: 0.02 is 2 %), the highest p95 latency in milliseconds,
/// and the largest drop of the live primary metric (from feedback) against the champion's, in the metric's units.
/// </summary>
public sealed record RolloutGuardsBody(double? MaxErrorRate = null, double? MaxP95Ms = null, double? MaxMetricDrop = null)
{
    public static RolloutGuardsBody From(RolloutGuards g) => new(g.MaxErrorRate, g.MaxP95Ms, g.MaxMetricDrop);
}

/// <summary>The optional body of <c>DELETE models/{name}/aliases/{alias}/rollout</c>: why (at most 500 characters, kept in the history).</summary>
public sealed record AbortRolloutRequest(string? Reason);

/// <summary>
/// An alias's latest rollout: the version rolled out and the champion it started from, the steps, the current step (its index
/// in <c>steps</c>, its weight, when it began), the state (running, completed, rolled_back, aborted), the plan's minimums and
/// guards, who started it and why, when and why it ended (for a rollback: the guard, its reading and its limit), and the
/// guards' last readings.
/// </summary>
public sealed record RolloutResponse(
    string Version,
    string Champion,
    IReadOnlyList<int> Steps,
    int StepIndex,
    int Weight,
    string State,
    DateTimeOffset StartedUtc,
    DateTimeOffset StepStartedUtc,
    int MinStepMinutes,
    int MinStepRequests,
    RolloutGuardsBody Guards,
    string RoutingKey,
    string StartedBy,
    string? Reason,
    DateTimeOffset? EndedUtc,
    string? EndReason,
    RolloutReadingsResponse? Readings)
{
    public static RolloutResponse From(AliasRollout r) => new(r.Plan.Version, r.Champion, r.Plan.Steps, r.Step, r.Weight, RolloutStates.Name(r.State),
        r.StartedUtc, r.StepStartedUtc, r.Plan.MinStepMinutes, r.Plan.MinStepRequests, RolloutGuardsBody.From(r.Plan.Guards), r.Plan.RoutingKey, r.By, r.Reason,
        r.EndedUtc, r.EndReason, r.Readings is null ? null : RolloutReadingsResponse.From(r.Readings));
}

/// <summary>
/// What the guards read of the step, and when: the new version's requests and failures since <c>from_utc</c> (the step's
/// start; mirror copies left out), its error rate and the rate's lower confidence bound (Wilson, z = 2.576), its p95 latency
/// (ms), and when feedback was joined, the live primary metric of the new version and of the champion, their labelled rows and
/// the drop (positive: the new version is worse); <c>note</c> says what the step waits for.
/// </summary>
public sealed record RolloutReadingsResponse(
    DateTimeOffset ReadUtc,
    DateTimeOffset FromUtc,
    long Requests,
    long Errors,
    double? ErrorRate,
    double? ErrorRateLowerBound,
    double? LatencyP95Ms,
    string? Metric,
    double? MetricValue,
    double? ChampionMetricValue,
    long LabelledRows,
    long ChampionLabelledRows,
    double? MetricDrop,
    string? Note)
{
    public static RolloutReadingsResponse From(RolloutReadings r) => new(r.ReadUtc, r.FromUtc, r.Requests, r.Errors, Round(r.ErrorRate), Round(r.ErrorRateLowerBound),
        r.LatencyP95Ms is { } p95 ? Math.Round(p95, 3) : null, r.Metric, Round(r.MetricValue), Round(r.ChampionMetricValue), r.LabelledRows, r.ChampionLabelledRows,
        Round(r.MetricDrop), r.Note);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 6) : null;
}

/// <summary>
/// What a rollout run did: when it read, and per running rollout the action (held, advanced, completed, rolled_back, skipped),
/// its state and step after, and why; how many rollback alerts the webhook accepted.
/// </summary>
public sealed record RolloutRunResponse(DateTimeOffset RunAtUtc, IReadOnlyList<RolloutRunOutcomeResponse> Rollouts, int AlertsDelivered)
{
    public static RolloutRunResponse From(RolloutRunResult r) => new(r.RunAtUtc,
        [.. r.Rollouts.Select(o => new RolloutRunOutcomeResponse(o.Model, o.Alias, o.Version, o.Action, o.State, o.StepIndex, o.Weight, o.Reason))], r.AlertsDelivered);
}

/// <summary>One rollout's part of a run.</summary>
public sealed record RolloutRunOutcomeResponse(string Model, string Alias, string Version, string Action, string State, int StepIndex, int Weight, string Reason);

/// <summary>An alias with its latest rollout, as the rollout routes answer it.</summary>
internal static class RolloutAnswers
{
    public static ModelAliasResponse Of(ModelAlias alias, AliasRollout? rollout) =>
        ModelAliasResponse.From(alias) with { Rollout = rollout is null ? null : RolloutResponse.From(rollout) };
}
