using Serverless.Core.Models;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Rollouts;

/// <summary>
/// The JSON body posted to the monitoring webhook (<see cref="Monitoring.Alerts.WebhookAlertSender"/>, snake_case) when a
/// guard rolls a rollout back: kind <c>rollout_rolled_back</c>, the model, alias, the version rolled back and the champion
/// restored, the step and weight it broke at, why (the guard, its reading and its limit), the readings, and the same reason
/// as a finding (kind <c>rollout_rolled_back</c>), so a receiver of monitoring alerts reads it the same way. Nothing else:
/// no storage URLs, keys or the webhook's own URL. Immutable.
/// </summary>
public sealed record RolloutAlert(
    string Kind,
    string Model,
    string Alias,
    string Version,
    string Champion,
    int Step,
    int Weight,
    string Reason,
    RolloutReadings Readings,
    DateTimeOffset AtUtc,
    IReadOnlyList<Finding> Findings)
{
    public const string RolledBackKind = "rollout_rolled_back";

    public static RolloutAlert RolledBack(string model, string alias, AliasRollout rolledBack) => new(
        RolledBackKind, model, alias, rolledBack.Plan.Version, rolledBack.Champion, rolledBack.Step + 1, rolledBack.Weight,
        rolledBack.EndReason ?? "", rolledBack.Readings!, rolledBack.EndedUtc ?? rolledBack.Readings!.ReadUtc,
        [new Finding(RolledBackKind, $"{model}/{alias}: rollout of version '{rolledBack.Plan.Version}' rolled back to '{rolledBack.Champion}': {rolledBack.EndReason}")]);
}
