namespace Serverless.Core.Models;

/// <summary>
/// The limits a rollout holds the new version to; each is optional (null: not guarded). Error rate as a share (0.02 = 2 %),
/// p95 latency in milliseconds, metric drop in the metric's own units (the champion's live primary metric less the new
/// version's for a metric where higher is better, the other way round for one where lower is better).
/// </summary>
public sealed record RolloutGuards(double? MaxErrorRate, double? MaxP95Ms, double? MaxMetricDrop)
{
    public static RolloutGuards None { get; } = new(null, null, null);
}

/// <summary>
/// What a caller asked for: move an alias from its version (the champion) to <paramref name="Version"/> through
/// <paramref name="Steps"/> (strictly increasing whole percent of traffic for the new version, the last 100), each step
/// held at least <paramref name="MinStepMinutes"/> minutes and until the new version served <paramref name="MinStepRequests"/>
/// requests, judged by <paramref name="Guards"/>; the split routes by <paramref name="RoutingKey"/>. Immutable.
/// </summary>
public sealed record RolloutPlan(string Version, IReadOnlyList<int> Steps, int MinStepMinutes, int MinStepRequests, RolloutGuards Guards, string RoutingKey)
{
    /// <summary>The most steps a plan may have.</summary>
    public const int MaxSteps = 20;

    /// <summary>The longest a step may be asked to last: 30 days.</summary>
    public const int MaxStepMinutes = 30 * 24 * 60;

    /// <summary>The most requests a step may be asked to wait for.</summary>
    public const int MaxStepRequests = 10_000_000;
}

/// <summary>Where a rollout stands.</summary>
public enum RolloutState
{
    /// <summary>Its steps are being walked; the alias moves only by it.</summary>
    Running,

    /// <summary>The last step passed: the alias points at the new version alone.</summary>
    Completed,

    /// <summary>A guard broke: the alias points at the champion alone, <see cref="AliasRollout.EndReason"/> says which guard and by how much.</summary>
    RolledBack,

    /// <summary>A caller stopped it (DELETE): the alias points at the champion alone.</summary>
    Aborted,
}

/// <summary>How the API and the registry's table spell a <see cref="RolloutState"/>: running, completed, rolled_back, aborted.</summary>
public static class RolloutStates
{
    public static string Name(RolloutState state) => state switch
    {
        RolloutState.Completed => "completed",
        RolloutState.RolledBack => "rolled_back",
        RolloutState.Aborted => "aborted",
        _ => "running",
    };

    public static RolloutState Parse(string? name) => name switch
    {
        "completed" => RolloutState.Completed,
        "rolled_back" => RolloutState.RolledBack,
        "aborted" => RolloutState.Aborted,
        _ => RolloutState.Running,
    };
}

/// <summary>
/// What the guards read of the current step, at <paramref name="ReadUtc"/>: the new version's requests (mirror copies left
/// out) and failures since <paramref name="FromUtc"/> (the step's start), the error rate and its lower confidence bound
/// (Wilson), the p95 latency (ms; null without requests), and, when feedback joined them, the live primary metric of the
/// new version (its labelled rows since the step began) and of the champion (since the rollout began) and the drop
/// between them (positive: the new version is worse). <paramref name="Note"/> says what a guard is still waiting for. Immutable.
/// </summary>
public sealed record RolloutReadings(
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
    string? Note = null);

/// <summary>
/// A rollout of an alias and where it stands: its <see cref="Plan"/>, the version it started from (<see cref="Champion"/>),
/// the index of the current step in <see cref="RolloutPlan.Steps"/> and when it began, its state, who started it and why,
/// how it ended and the last guard readings. Stored in the registry's table beside its alias; <see cref="ETag"/> is the
/// stored row's (every change of it is conditional on it). Immutable.
/// </summary>
public sealed record AliasRollout(
    RolloutPlan Plan,
    string Champion,
    int Step,
    DateTimeOffset StartedUtc,
    DateTimeOffset StepStartedUtc,
    RolloutState State,
    string By,
    string? Reason)
{
    /// <summary>When it completed, was rolled back or aborted; null while it runs.</summary>
    public DateTimeOffset? EndedUtc { get; init; }

    /// <summary>Why it ended (the guard, its reading and its limit; or who aborted it); null while it runs.</summary>
    public string? EndReason { get; init; }

    /// <summary>The guards' latest readings of the current step; null before the first.</summary>
    public RolloutReadings? Readings { get; init; }

    /// <summary>The stored row's ETag; empty before it is stored.</summary>
    public string ETag { get; init; } = "";

    /// <summary>The new version's weight at the current step (whole percent).</summary>
    public int Weight => Plan.Steps[Step];

    public bool IsRunning => State == RolloutState.Running;
}
