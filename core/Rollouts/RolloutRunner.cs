using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;

namespace Serverless.Core.Rollouts;

/// <summary>What one run did with one rollout: held, advanced, completed, rolled_back, or skipped (it changed meanwhile, or failed: see the reason); its state and step (index into its steps) after.</summary>
public sealed record RolloutRunOutcome(string Model, string Alias, string Version, string Action, string State, int StepIndex, int Weight, string Reason);

/// <summary>What a run did: when it read, one outcome per running rollout, and how many webhook alerts were delivered.</summary>
public sealed record RolloutRunResult(DateTimeOffset RunAtUtc, IReadOnlyList<RolloutRunOutcome> Rollouts, int AlertsDelivered);

/// <summary>
/// One pass over every running rollout (the timer's, or <c>POST api/rollouts/runs</c>): read its guards
/// (<see cref="RolloutGuardReader"/>), judge them (<see cref="RolloutJudge"/>) and store the outcome: new readings on a held
/// step, or the next step, completion or rollback with the alias move, recorded in its history, in one transaction; a
/// rollback posts a <see cref="RolloutAlert"/> to the monitoring webhook. Runs of one instance take turns; across instances
/// a blob lease (<see cref="LockBlobName"/>) keeps a second from running at once (it skips), and every write is conditional on
/// the ETags read, so a run that loses a race changes nothing and the rollout is judged again next run: runs are idempotent.
/// A rollout that fails to be judged is logged and skipped; the others go on. Thread-safe.
/// </summary>
public sealed class RolloutRunner : IDisposable
{
    /// <summary>The app setting of the timer's schedule (NCRONTAB), read by the trigger binding.</summary>
    public const string ScheduleSetting = "RolloutSchedule";

    /// <summary>Every minute.</summary>
    public const string DefaultSchedule = "0 * * * * *";

    /// <summary>The lease blob that keeps runs of several instances apart, in the monitoring reports container.</summary>
    public const string LockBlobName = "_locks/rollout-run";

    /// <summary>Who the history names for a rollout's own moves.</summary>
    public const string MovedBy = "rollout";

    private readonly IModelRegistry _registry;
    private readonly IAliasRollouts _rollouts;
    private readonly IRolloutGuards _guards;
    private readonly WebhookAlertSender _alerts;
    private readonly IMonitoringRunLock _runLock;
    private readonly TimeProvider _clock;
    private readonly ILogger<RolloutRunner> _logger;
    private readonly SemaphoreSlim _turn = new(1, 1);

    public RolloutRunner(IModelRegistry registry, IAliasRollouts rollouts, IRolloutGuards guards, WebhookAlertSender alerts, IMonitoringRunLock runLock,
        TimeProvider clock, ILogger<RolloutRunner> logger)
    {
        _registry = registry;
        _rollouts = rollouts;
        _guards = guards;
        _alerts = alerts;
        _runLock = runLock;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Judges every running rollout once; null when another instance holds the run lock (nothing was judged here).</summary>
    public async Task<RolloutRunResult?> RunAsync(CancellationToken cancellationToken)
    {
        var running = await _rollouts.ListRunningRolloutsAsync(cancellationToken).ConfigureAwait(false);
        if (running.Count == 0)
        {
            return new RolloutRunResult(_clock.GetUtcNow(), [], 0);
        }

        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var held = await _runLock.TryAcquireAsync(cancellationToken).ConfigureAwait(false);
            if (held is null)
            {
                _logger.LogInformation("Rollout run skipped: another instance holds the rollout run lock.");
                return null;
            }

            await using (held.ConfigureAwait(false))
            {
                var outcomes = new List<RolloutRunOutcome>();
                var delivered = 0;
                foreach (var (model, alias) in running)
                {
                    var (outcome, alerted) = await JudgeAsync(model, alias, cancellationToken).ConfigureAwait(false);
                    if (outcome is not null)
                    {
                        outcomes.Add(outcome);
                    }

                    delivered += alerted ? 1 : 0;
                }

                return new RolloutRunResult(_clock.GetUtcNow(), outcomes, delivered);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();

    private async Task<(RolloutRunOutcome? Outcome, bool Alerted)> JudgeAsync(string model, string alias, CancellationToken cancellationToken)
    {
        AliasRollout? rollout = null;
        try
        {
            rollout = await _rollouts.GetRolloutAsync(model, alias, cancellationToken).ConfigureAwait(false);
            var current = await _registry.GetAliasAsync(model, alias, cancellationToken).ConfigureAwait(false);
            if (rollout is not { IsRunning: true } || current is null)
            {
                return (null, false); // It ended (or its alias went) since it was listed.
            }

            if (!current.Traffic.Equals(RolloutTraffic.Current(rollout)))
            {
                return (Outcome(model, alias, rollout, "skipped", $"the alias is at {current.Traffic}, not at the rollout's step; it is judged again next run"), false);
            }

            var now = _clock.GetUtcNow();
            var readings = await _guards.ReadAsync(model, rollout, now, withMetric: false, cancellationToken).ConfigureAwait(false);
            var verdict = RolloutJudge.Judge(rollout, readings, now, withMetric: false);
            if (verdict.Action is RolloutAction.Advance or RolloutAction.Complete && rollout.Plan.Guards.MaxMetricDrop is not null)
            {
                readings = await _guards.ReadAsync(model, rollout, now, withMetric: true, cancellationToken).ConfigureAwait(false);
                verdict = RolloutJudge.Judge(rollout, readings, now);
            }

            if (RolloutJudge.Apply(rollout, verdict, readings, now) is not { } next)
            {
                var saved = await _rollouts.SaveReadingsAsync(model, alias, rollout, readings with { Note = verdict.Reason }, cancellationToken).ConfigureAwait(false);
                return (Outcome(model, alias, saved, "held", verdict.Reason), false);
            }

            var (_, stored) = await _rollouts.MoveRolloutAsync(model, alias, current.ETag, rollout, next.Next, next.Traffic,
                AliasMoveNote.System(MovedBy, next.MoveReason), cancellationToken).ConfigureAwait(false);
            var action = verdict.Action switch
            {
                RolloutAction.Advance => "advanced",
                RolloutAction.Complete => "completed",
                _ => "rolled_back",
            };
            if (verdict.Action != RolloutAction.RollBack)
            {
                _logger.LogInformation("Rollout of {Model}/{Alias}: {Reason}", model, alias, next.MoveReason);
                return (Outcome(model, alias, stored, action, verdict.Reason), false);
            }

            _logger.LogWarning("Rollout of {Model}/{Alias} rolled back: {Reason}", model, alias, stored.EndReason);
            var alerted = await _alerts.SendAsync(RolloutAlert.RolledBack(model, alias, stored), cancellationToken).ConfigureAwait(false);
            return (Outcome(model, alias, stored, action, verdict.Reason), alerted);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.Conflict)
        {
            _logger.LogInformation("Rollout of {Model}/{Alias} not changed: {Reason}", model, alias, e.Message);
            return (rollout is null ? null : Outcome(model, alias, rollout, "skipped", e.Message), false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Rollout of {Model}/{Alias} could not be judged; the run goes on with the others.", model, alias);
            return (rollout is null ? null : Outcome(model, alias, rollout, "skipped", "it could not be judged (the cause is logged); it is judged again next run"), false);
        }
    }

    private static RolloutRunOutcome Outcome(string model, string alias, AliasRollout rollout, string action, string reason) =>
        new(model, alias, rollout.Plan.Version, action, RolloutStates.Name(rollout.State), rollout.Step, rollout.Weight, reason);
}
