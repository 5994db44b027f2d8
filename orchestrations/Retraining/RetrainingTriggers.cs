using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;
using Serverless.Core.Retraining;

namespace Serverless.Orchestrations.Retraining;

/// <summary>What a trigger pass did for one model: the trigger, and the run it started or why none was.</summary>
public sealed record RetrainingTriggerOutcome(string Model, string Trigger, string? RunId, string? Refusal);

/// <summary>What starts runs after a monitoring run (<see cref="RetrainingTriggers"/>).</summary>
public interface IRetrainingTriggers
{
    /// <summary>Starts the runs <paramref name="result"/>'s findings and the due schedules call for; what it did per model.</summary>
    Task<IReadOnlyList<RetrainingTriggerOutcome>> AfterMonitoringAsync(MonitoringRunResult result, DurableTaskClient client, CancellationToken cancellationToken);
}

/// <summary>
/// Starts runs from what the monitor found and from schedules. After a monitoring run, a model with a policy whose
/// champion's report (the version its alias serves) found performance decay (trigger <c>decay</c>) or data or prediction
/// drift (trigger <c>drift</c>) gets a run, the finding recorded as its trigger with the report; a model whose policy has
/// the <c>schedule</c> trigger gets one when <c>schedule_hours</c> passed since its last start. Every start goes through
/// <see cref="RetrainingStarter"/>, so the guardrails hold: a refused start is logged and reported, never an error of the
/// monitoring run. Thread-safe.
/// </summary>
public sealed class RetrainingTriggers : IRetrainingTriggers
{
    private readonly RetrainingStore _store;
    private readonly RetrainingStarter _starter;
    private readonly IModelRegistry _registry;
    private readonly TimeProvider _clock;
    private readonly ILogger<RetrainingTriggers> _logger;

    public RetrainingTriggers(RetrainingStore store, RetrainingStarter starter, IModelRegistry registry, TimeProvider clock, ILogger<RetrainingTriggers> logger)
    {
        _store = store;
        _starter = starter;
        _registry = registry;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The monitor's findings of <paramref name="result"/>, then the schedules.</summary>
    public async Task<IReadOnlyList<RetrainingTriggerOutcome>> AfterMonitoringAsync(MonitoringRunResult result, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcomes = new List<RetrainingTriggerOutcome>();
        foreach (var reports in result.Reports.GroupBy(r => r.Model, StringComparer.Ordinal))
        {
            var policy = await _store.GetPolicyAsync(reports.Key, cancellationToken).ConfigureAwait(false);
            var alias = policy is null ? null : await _registry.GetAliasAsync(reports.Key, policy.Alias, cancellationToken).ConfigureAwait(false);
            if (policy is null || alias is null || reports.FirstOrDefault(r => r.Version == alias.Version) is not { } report)
            {
                continue;
            }

            var trigger = Finding(policy, report);
            if (trigger is not null)
            {
                outcomes.Add(await TryStartAsync(reports.Key, trigger, client, cancellationToken).ConfigureAwait(false));
            }
        }

        var now = _clock.GetUtcNow();
        foreach (var (model, policy) in await _store.ListPoliciesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (outcomes.Any(o => o.Model == model && o.RunId is not null))
            {
                continue;
            }

            var (_, last) = await _store.GetGateAsync(model, cancellationToken).ConfigureAwait(false);
            if (RetrainingGuardrailRules.ScheduleDue(policy, last, now))
            {
                var trigger = new RetrainingTrigger(RetrainingSources.Schedule, $"the schedule: every {policy.ScheduleHours} hour(s)");
                outcomes.Add(await TryStartAsync(model, trigger, client, cancellationToken).ConfigureAwait(false));
            }
        }

        return outcomes;
    }

    /// <summary>The trigger a report's findings make under <paramref name="policy"/>: decay first, then drift; null when neither applies.</summary>
    public static RetrainingTrigger? Finding(RetrainingPolicy policy, ReportSummary report)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(report);
        if (report.PerformanceDecay && policy.Triggers.Contains(RetrainingSources.Decay))
        {
            return new RetrainingTrigger(RetrainingSources.Decay, $"performance_decay: monitoring run {report.RunId} found the live metric of version {report.Version} decayed",
                report.RunId, report.Version, report.JsonBlob);
        }

        if ((report.DatasetDrift || report.PredictionDrift) && policy.Triggers.Contains(RetrainingSources.Drift))
        {
            var what = report.DatasetDrift ? $"data_drift: {report.DriftShare:P0} of the features drifted" : "prediction_drift";
            return new RetrainingTrigger(RetrainingSources.Drift, $"{what} in monitoring run {report.RunId} of version {report.Version}", report.RunId, report.Version, report.JsonBlob);
        }

        return null;
    }

    private async Task<RetrainingTriggerOutcome> TryStartAsync(string model, RetrainingTrigger trigger, DurableTaskClient client, CancellationToken cancellationToken)
    {
        try
        {
            var run = await _starter.StartAsync(model, trigger, client, cancellationToken).ConfigureAwait(false);
            return new RetrainingTriggerOutcome(model, trigger.Kind, run.RunId, null);
        }
        catch (ServingException e)
        {
            _logger.LogInformation("Retraining of {Model} on {Trigger} not started: {Reason}", model, trigger.Kind, e.Message);
            return new RetrainingTriggerOutcome(model, trigger.Kind, null, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Retraining of {Model} on {Trigger} could not be started; the monitoring run goes on.", model, trigger.Kind);
            return new RetrainingTriggerOutcome(model, trigger.Kind, null, "it could not be started (the cause is logged)");
        }
    }
}
