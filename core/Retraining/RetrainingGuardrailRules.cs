using System.Globalization;

namespace Serverless.Core.Retraining;

/// <summary>
/// Whether a run may start now under a policy's <see cref="RetrainingGuardrails"/>, given the model's recent runs: none
/// running, fewer than <c>max_runs_per_day</c> started in the last 24 hours, none within <c>cooldown_minutes</c>, and the
/// trigger is one the policy declares. Null when it may; else why not, in words. Pure; thread-safe.
/// </summary>
public static class RetrainingGuardrailRules
{
    public static string? Refusal(RetrainingPolicy policy, string trigger, IReadOnlyList<RetrainingRun> recent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(recent);
        if (!policy.Triggers.Contains(trigger))
        {
            return $"the policy's triggers ({string.Join(", ", policy.Triggers)}) do not include '{trigger}'";
        }

        if (recent.FirstOrDefault(r => r.IsRunning) is { } running)
        {
            return $"run '{running.RunId}' is still {running.Status.Replace('_', ' ')}; one run at a time";
        }

        var guardrails = policy.Guardrails;
        var today = recent.Count(r => r.CreatedUtc > now.AddDays(-1));
        if (today >= guardrails.MaxRunsPerDay)
        {
            return $"{today} run(s) started in the last 24 hours; guardrails.max_runs_per_day is {guardrails.MaxRunsPerDay}";
        }

        if (recent.Count > 0 && recent.Max(r => r.CreatedUtc) is var last && now - last < TimeSpan.FromMinutes(guardrails.CooldownMinutes))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the last run started {Math.Floor((now - last).TotalMinutes)} minute(s) ago; guardrails.cooldown_minutes is {guardrails.CooldownMinutes}");
        }

        return null;
    }

    /// <summary>With the schedule trigger: whether the schedule is due (no run yet, or the last started at least <c>schedule_hours</c> ago).</summary>
    public static bool ScheduleDue(RetrainingPolicy policy, DateTimeOffset? lastStart, DateTimeOffset now) =>
        policy.ScheduleHours is { } hours && (lastStart is null || now - lastStart.Value >= TimeSpan.FromHours(hours));
}
