using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Models;

namespace Serverless.Core.Retraining;

/// <summary>
/// A model's retraining policy (<c>PUT api/models/{name}/retraining</c>): when to retrain (<see cref="Triggers"/>), on what
/// data (<see cref="Data"/>), which sweep to run (<see cref="Sweep"/>, a training sweep request without its dataset, model
/// name and promotion, which the loop sets), how to roll the winner out on <see cref="Alias"/> (<see cref="Rollout"/>), how
/// to judge it live (<see cref="Judge"/>) and the <see cref="Guardrails"/>. Immutable; validated by <see cref="RetrainingPolicyRules"/>.
/// </summary>
public sealed record RetrainingPolicy
{
    public required IReadOnlyList<string> Triggers { get; init; }

    /// <summary>With the <c>schedule</c> trigger: hours between scheduled runs (1 to 8760).</summary>
    public int? ScheduleHours { get; init; }

    /// <summary>The alias that serves the champion and that the challenger is rolled out on.</summary>
    public string Alias { get; init; } = "production";

    public required RetrainingData Data { get; init; }

    /// <summary>The sweep to run: a training sweep request's fields but <c>dataset</c>, <c>model_name</c>, <c>promotion</c> and <c>warm_start_from</c> (the champion).</summary>
    public required JsonElement Sweep { get; init; }

    public RetrainingRollout Rollout { get; init; } = new();

    public RetrainingJudging Judge { get; init; } = new();

    public RetrainingGuardrails Guardrails { get; init; } = new();

    /// <summary>Stored ETag; empty before it is stored (not part of the JSON: the ETag header carries it).</summary>
    [JsonIgnore]
    public string ETag { get; init; } = "";

    /// <summary>When it was last stored.</summary>
    [JsonIgnore]
    public DateTimeOffset? UpdatedUtc { get; init; }
}

/// <summary>
/// The data a run trains on: <c>traffic</c> (the alias's logged rows of the last <see cref="WindowHours"/> joined with
/// their feedback by request id and row, as served), <c>reference</c> (the CSV <see cref="ReferenceDataset"/>, the
/// original training data) or <c>both</c>; at most <see cref="MaxTrafficRows"/> and <see cref="MaxReferenceRows"/> of each.
/// </summary>
public sealed record RetrainingData
{
    public string Source { get; init; } = RetrainingSources.Traffic;

    public double WindowHours { get; init; } = 24;

    public string? ReferenceDataset { get; init; }

    public int MaxTrafficRows { get; init; } = 50_000;

    public int MaxReferenceRows { get; init; } = 50_000;
}

/// <summary>
/// How the challenger reaches traffic: first as a mirror (shadow) of <see cref="ShadowPercent"/> % of the alias's requests
/// for at least <see cref="ShadowMinutes"/> (0 percent: no shadow), then a guarded progressive rollout through
/// <see cref="Steps"/> (the rollouts of core/Rollouts, advanced by their timer).
/// </summary>
public sealed record RetrainingRollout
{
    public int ShadowPercent { get; init; } = 100;

    public int ShadowMinutes { get; init; }

    public IReadOnlyList<int> Steps { get; init; } = [10, 50, 100];

    public int MinStepMinutes { get; init; } = 30;

    public int MinStepRequests { get; init; } = 100;

    public RolloutGuards Guards { get; init; } = RolloutGuards.None;

    public string? RoutingKey { get; init; }
}

/// <summary>
/// How the challenger is judged against the champion on live traffic, with the metric code of training: it wins when its
/// metric is better by more than <see cref="Margin"/> (metric units) once each has <see cref="MinLabelledRows"/> labelled
/// predictions; a stage that has no verdict after <see cref="MaxWaitMinutes"/> retires it.
/// </summary>
public sealed record RetrainingJudging
{
    public double Margin { get; init; }

    public int MinLabelledRows { get; init; } = 100;

    public int MaxWaitMinutes { get; init; } = 24 * 60;
}

/// <summary>
/// Limits on the loop: at most <see cref="MaxRunsPerDay"/> runs started in any 24 hours, none within
/// <see cref="CooldownMinutes"/> of the last start, one at a time, none on fewer than <see cref="MinLabelledRows"/>
/// labelled traffic rows, and, with <see cref="ApprovalRequired"/>, nothing served before a person approves (within
/// <see cref="ApprovalTimeoutMinutes"/>, else the challenger is retired).
/// </summary>
public sealed record RetrainingGuardrails
{
    public int MaxRunsPerDay { get; init; } = 1;

    public int MinLabelledRows { get; init; } = 100;

    public int CooldownMinutes { get; init; } = 60;

    public bool ApprovalRequired { get; init; }

    public int ApprovalTimeoutMinutes { get; init; } = 24 * 60;
}

/// <summary>The names of triggers and data sources.</summary>
public static class RetrainingSources
{
    public const string Drift = "drift";
    public const string Decay = "decay";
    public const string Schedule = "schedule";
    public const string Manual = "manual";

    public const string Traffic = "traffic";
    public const string Reference = "reference";
    public const string Both = "both";

    public static IReadOnlyList<string> TriggerNames { get; } = [Drift, Decay, Schedule, Manual];

    public static IReadOnlyList<string> DataSources { get; } = [Traffic, Reference, Both];

    public static bool UsesTraffic(string source) => source is Traffic or Both;

    public static bool UsesReference(string source) => source is Reference or Both;
}
