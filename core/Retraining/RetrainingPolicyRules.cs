using System.Globalization;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Rollouts;
using Serverless.Core.Storage;

namespace Serverless.Core.Retraining;

/// <summary>
/// Checks a <see cref="RetrainingPolicy"/> as a caller wrote it; every mistake is a BadRequest naming the field (values
/// quoted at most 40 characters). The sweep template is checked here only for its shape (an object without the fields the
/// loop sets); the sweep's own validator checks the rest (orchestrations/Retraining). Pure; thread-safe.
/// </summary>
public static class RetrainingPolicyRules
{
    public const int MaxScheduleHours = 24 * 365;
    public const int MaxWindowHours = 24 * 90;
    public const int MaxRows = 1_000_000;
    public const int MaxRunsPerDay = 48;
    public const int MaxMinutes = 30 * 24 * 60;

    /// <summary>Fields of the sweep template the loop sets itself.</summary>
    public static IReadOnlyList<string> LoopSweepFields { get; } = ["dataset", "model_name", "promotion", "warm_start_from"];

    public static RetrainingPolicy Validate(RetrainingPolicy policy, DataContainers containers)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(containers);
        if (policy.Triggers is not { Count: > 0 })
        {
            throw ServingException.BadRequest($"'triggers' needs at least one of {string.Join(", ", RetrainingSources.TriggerNames)}.");
        }

        foreach (var trigger in policy.Triggers)
        {
            if (!RetrainingSources.TriggerNames.Contains(trigger))
            {
                throw ServingException.BadRequest($"'triggers' must hold only {string.Join(", ", RetrainingSources.TriggerNames)} (was {DataText.Quote(trigger)}).");
            }
        }

        if (policy.Triggers.Contains(RetrainingSources.Schedule) != policy.ScheduleHours is not null)
        {
            throw ServingException.BadRequest("'schedule_hours' goes with the 'schedule' trigger: set both or neither.");
        }

        Range("schedule_hours", policy.ScheduleHours ?? 1, 1, MaxScheduleHours);
        ModelIdentifiers.ValidateAlias(policy.Alias, "alias");
        CheckData(policy.Data ?? throw ServingException.BadRequest("'data' is required: {\"source\": \"traffic\", \"window_hours\": 24}."), containers);
        CheckSweep(policy.Sweep);
        CheckRollout(policy.Rollout ?? throw ServingException.BadRequest("'rollout' must be an object."));
        var judge = policy.Judge ?? throw ServingException.BadRequest("'judge' must be an object.");
        if (!double.IsFinite(judge.Margin) || judge.Margin < 0 || judge.Margin > 1_000_000)
        {
            throw ServingException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'judge.margin' must be a number from 0 to 1000000 (was {judge.Margin})."));
        }

        Range("judge.min_labelled_rows", judge.MinLabelledRows, 1, MaxRows);
        Range("judge.max_wait_minutes", judge.MaxWaitMinutes, 1, MaxMinutes);
        var guardrails = policy.Guardrails ?? throw ServingException.BadRequest("'guardrails' must be an object.");
        Range("guardrails.max_runs_per_day", guardrails.MaxRunsPerDay, 1, MaxRunsPerDay);
        Range("guardrails.min_labelled_rows", guardrails.MinLabelledRows, 0, MaxRows);
        Range("guardrails.cooldown_minutes", guardrails.CooldownMinutes, 0, MaxMinutes);
        Range("guardrails.approval_timeout_minutes", guardrails.ApprovalTimeoutMinutes, 1, MaxMinutes);
        return policy;
    }

    private static void CheckData(RetrainingData data, DataContainers containers)
    {
        if (!RetrainingSources.DataSources.Contains(data.Source))
        {
            throw ServingException.BadRequest($"'data.source' must be one of {string.Join(", ", RetrainingSources.DataSources)} (was {DataText.Quote(data.Source)}).");
        }

        if (!double.IsFinite(data.WindowHours) || data.WindowHours <= 0 || data.WindowHours > MaxWindowHours)
        {
            throw ServingException.BadRequest(string.Create(CultureInfo.InvariantCulture,
                $"'data.window_hours' must be a number above 0 up to {MaxWindowHours} (was {data.WindowHours})."));
        }

        if (RetrainingSources.UsesReference(data.Source) != data.ReferenceDataset is not null)
        {
            throw ServingException.BadRequest("'data.reference_dataset' (container/path of a CSV with a header row) goes with source 'reference' or 'both': set both or neither.");
        }

        if (data.ReferenceDataset is not null)
        {
            containers.Blob(data.ReferenceDataset, "data.reference_dataset");
        }

        Range("data.max_traffic_rows", data.MaxTrafficRows, 1, MaxRows);
        Range("data.max_reference_rows", data.MaxReferenceRows, 1, MaxRows);
    }

    private static void CheckSweep(JsonElement sweep)
    {
        if (sweep.ValueKind != JsonValueKind.Object)
        {
            throw ServingException.BadRequest("'sweep' must be a training sweep request without dataset, model_name, promotion and warm_start_from (the loop sets them).");
        }

        foreach (var field in LoopSweepFields)
        {
            if (sweep.TryGetProperty(field, out _))
            {
                throw ServingException.BadRequest($"'sweep.{field}' is set by the loop; leave it out of the template.");
            }
        }
    }

    private static void CheckRollout(RetrainingRollout rollout)
    {
        Range("rollout.shadow_percent", rollout.ShadowPercent, 0, 100);
        Range("rollout.shadow_minutes", rollout.ShadowMinutes, 0, MaxMinutes);
        try
        {
            RolloutPlans.Create("1", rollout.Steps ?? [], rollout.MinStepMinutes, rollout.MinStepRequests, rollout.Guards ?? Models.RolloutGuards.None, rollout.RoutingKey);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest && e.Message.StartsWith('\''))
        {
            throw ServingException.BadRequest("'rollout." + e.Message[1..]);
        }
    }

    private static void Range(string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw ServingException.BadRequest($"'{field}' must be a whole number from {min} to {max} (was {value}).");
        }
    }
}
