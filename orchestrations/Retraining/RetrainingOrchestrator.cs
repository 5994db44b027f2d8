using System.Globalization;
using Microsoft.DurableTask;
using Serverless.Core.Retraining;
using Serverless.Orchestrations.Training;

namespace Serverless.Orchestrations.Retraining;

/// <summary>
/// One retraining run, the champion in service throughout: find the champion (the alias's version); export the training
/// set (<see cref="ExportRetrainingDataActivity"/>; a run with fewer labelled traffic rows than the guardrail is skipped);
/// run the sweep as a <see cref="TrainingSweepOrchestrator"/> sub-orchestration (no promotion of its own) warm-started from the
/// champion (its trials continue from the champion's trained pipeline where their trainer can; the record says whether the
/// challenger's did, and why not), its winner registered as the challenger; with approval required, wait for the <see cref="ApprovalEvent"/> external event (a timeout
/// is a rejection); shadow the challenger (a mirror of the alias's requests) until the live metric, on the same rows the
/// champion answered, says whether it wins; then roll it out through the policy's guarded rollout (core/Rollouts, moved
/// on by its timer) and judge it against the champion on live traffic at every reading: promoted when the rollout
/// completed and it wins by the margin with enough evidence; retired (weight 0: its rollout aborted or the alias moved
/// back) when it does not win, or no verdict came within <c>judge.max_wait_minutes</c>; rolled back when a rollout guard
/// broke. Every step is written to the run's lineage (<see cref="SaveRetrainingRunActivity"/>). A failed activity ends the
/// run as failed after taking the challenger off the alias. Deterministic: no I/O, time from the context.
/// </summary>
[DurableTask(Name)]
public sealed class RetrainingOrchestrator : TaskOrchestrator<RetrainingInput, RetrainingOutcome>
{
    public const string Name = "Retraining";

    /// <summary>The external event that answers an approval request (<see cref="RetrainingApproval"/>).</summary>
    public const string ApprovalEvent = "approval";

    /// <summary>The most readings a run's lineage keeps.</summary>
    public const int MaxSteps = 40;

    public override async Task<RetrainingOutcome> RunAsync(TaskOrchestrationContext context, RetrainingInput input)
    {
        var run = input.Run;
        string? challenger = null;
        var exposed = false;
        try
        {
            var incumbent = await context.CallActivityAsync<Incumbent>(ResolveIncumbentActivity.Name, new IncumbentInput(run.Model, run.Alias), TrainingRetry.Options);
            if (incumbent.Version is null)
            {
                return await EndAsync(context, run, RetrainingDecisions.Skipped, $"alias '{run.Alias}' points at no version, so there is no champion to retrain", null);
            }

            var champion = incumbent.Version;
            run = await SaveAsync(context, run with { Champion = champion });
            var policy = input.Policy;
            var data = await context.CallActivityAsync<RetrainingDataset>(ExportRetrainingDataActivity.Name,
                new ExportInput(run.RunId, run.Model, policy.Data, input.Sweep.Target, input.Sweep.Features?.Select(f => f.Name).ToList(), champion,
                    input.Sweep.Dataset, context.CurrentUtcDateTime), TrainingRetry.Options);
            run = await SaveAsync(context, run with { Data = data, Stage = RetrainingStages.Training });
            if (RetrainingSources.UsesTraffic(policy.Data.Source) && data.TrafficRows < policy.Guardrails.MinLabelledRows)
            {
                return await EndAsync(context, run, RetrainingDecisions.Skipped,
                    $"{data.TrafficRows} labelled traffic rows in the window ({data.UnlabelledRows} without feedback); guardrails.min_labelled_rows is {policy.Guardrails.MinLabelledRows}", null);
            }

            var sweepId = run.RunId + "-sweep";
            var warmStartFrom = new SweepWarmStart(champion, run.Model);
            var sweep = await context.CallSubOrchestratorAsync<SweepResult>(TrainingSweepOrchestrator.Name,
                new SweepInput(sweepId, input.Sweep with { WarmStartFrom = warmStartFrom }, RetrainingSweepRequest.WithWarmStart(input.SweepJson, warmStartFrom),
                    input.TrialPollInterval, input.TrialTimeout, input.MaxTrials),
                new SubOrchestrationOptions { InstanceId = sweepId });
            challenger = sweep.RegisteredVersion;
            var (warm, warmNote) = WarmStartOf(sweep);
            run = await SaveAsync(context, run with
            {
                Sweep = new RetrainingSweep(sweepId, sweep.Metric, [.. sweep.Leaderboard.Take(10).Select(t => new RetrainingTrial(t.TrialId, t.Algorithm, t.Metrics[sweep.Metric]))],
                    challenger, sweep.ServedValue ?? sweep.BestValue, warm, warmNote),
            });

            if (policy.Guardrails.ApprovalRequired)
            {
                run = await SaveAsync(context, run with { Status = RetrainingStatuses.WaitingForApproval, Stage = RetrainingStages.Approval });
                var approval = await WaitForApprovalAsync(context, input.ApprovalTimeout ?? TimeSpan.FromMinutes(policy.Guardrails.ApprovalTimeoutMinutes));
                run = run with { Status = RetrainingStatuses.Running, Approval = approval };
                if (!approval.Approved)
                {
                    return await EndAsync(context, run, RetrainingDecisions.Rejected,
                        $"not approved ({approval.By}{(approval.Reason is null ? "" : ": " + approval.Reason)}); challenger '{challenger}' never served traffic", challenger);
                }
            }

            var rollout = policy.Rollout;
            if (rollout.ShadowPercent > 0)
            {
                exposed = true;
                var refused = await context.CallActivityAsync<string?>(SetShadowActivity.Name,
                    new ShadowInput(run.RunId, run.Model, run.Alias, champion, challenger, rollout.ShadowPercent), TrainingRetry.Options);
                if (refused is not null)
                {
                    return await EndAsync(context, run, RetrainingDecisions.Retired, refused, challenger);
                }

                run = await SaveAsync(context, run with { Stage = RetrainingStages.Shadow });
                var (verdict, reason, watched) = await WatchAsync(context, input, run, champion, challenger, shadow: true);
                run = watched;
                await context.CallActivityAsync<string?>(SetShadowActivity.Name,
                    new ShadowInput(run.RunId, run.Model, run.Alias, champion, challenger, 0), TrainingRetry.Options);
                if (verdict != LiveVerdict.Better)
                {
                    return await EndAsync(context, run, RetrainingDecisions.Retired, $"in the shadow, {reason}", challenger);
                }
            }

            exposed = true;
            var notStarted = await context.CallActivityAsync<string?>(StartRetrainingRolloutActivity.Name,
                new RolloutInput(run.RunId, run.Model, run.Alias, challenger, rollout), TrainingRetry.Options);
            if (notStarted is not null)
            {
                return await EndAsync(context, run, RetrainingDecisions.Retired, notStarted, challenger);
            }

            run = await SaveAsync(context, run with { Stage = RetrainingStages.Rollout });
            var (final, why, judged) = await WatchAsync(context, input, run, champion, challenger, shadow: false);
            run = judged;
            if (final == LiveVerdict.Better)
            {
                return await EndAsync(context, run, RetrainingDecisions.Promoted, $"rollout completed and {why}", challenger);
            }

            var lastState = run.Steps.Count > 0 ? run.Steps[^1].Verdict : null;
            if (lastState == RolledBackVerdict)
            {
                return await EndAsync(context, run, RetrainingDecisions.RolledBack, why, challenger);
            }

            var done = await RetireAsync(context, run, champion, challenger, why);
            return await EndAsync(context, run, RetrainingDecisions.Retired, $"{why}; {done}", challenger);
        }
        catch (TaskFailedException e)
        {
            var error = e.FailureDetails.ErrorMessage;
            if (exposed && challenger is not null && run.Champion is not null)
            {
                error += "; " + await RetireAsync(context, run, run.Champion, challenger, "the run failed");
            }

            await EndAsync(context, run with { Status = RetrainingStatuses.Failed }, RetrainingDecisions.Failed, error, challenger);
            throw;
        }
    }

    /// <summary>
    /// Whether the challenger's trial continued from the champion, with its trainer's note (prefixed with the trial and its training
    /// time), or why the sweep could give its trials no warm start.
    /// </summary>
    public static (bool WarmStart, string Note) WarmStartOf(SweepResult sweep)
    {
        var winner = sweep.Leaderboard.FirstOrDefault(t => t.TrialId == sweep.BestTrialId);
        if (winner?.WarmStartNote is { } note)
        {
            var seconds = winner.TrainSeconds is { } s ? string.Create(CultureInfo.InvariantCulture, $" in {s:0.###} s") : "";
            return (winner.WarmStart == true, $"trial {winner.TrialId} ({winner.Algorithm}{seconds}): {note}");
        }

        return (false, sweep.WarmStartNote is { } reason
            ? $"trained from scratch: {reason}"
            : $"trained from scratch: trial {sweep.BestTrialId}'s trainer said nothing about a warm start");
    }

    /// <summary>The verdict a reading records when a guard rolled the rollout back.</summary>
    public const string RolledBackVerdict = "rolled_back";

    /// <summary>
    /// Reads the live evidence every poll interval until there is a verdict (a shadow: after <c>shadow_minutes</c>; a rollout:
    /// better once it completed, not better at once) or <c>judge.max_wait_minutes</c> pass (then "waiting", with why).
    /// A rollout that rolled back or was aborted ends the watch as not better.
    /// </summary>
    private static async Task<(LiveVerdict Verdict, string Reason, RetrainingRun Run)> WatchAsync(TaskOrchestrationContext context, RetrainingInput input,
        RetrainingRun run, string champion, string challenger, bool shadow)
    {
        var policy = input.Policy;
        var from = context.CurrentUtcDateTime;
        var minimum = shadow ? from.AddMinutes(policy.Rollout.ShadowMinutes) : from;
        var deadline = from.AddMinutes(Math.Max(policy.Judge.MaxWaitMinutes, shadow ? policy.Rollout.ShadowMinutes : 0));
        var stage = shadow ? RetrainingStages.Shadow : RetrainingStages.Rollout;
        while (true)
        {
            await context.CreateTimer(input.PollInterval, CancellationToken.None);
            var now = context.CurrentUtcDateTime;
            var seen = await context.CallActivityAsync<Observation>(ObserveRetrainingActivity.Name,
                new ObserveInput(run.Model, run.Alias, champion, challenger, shadow, from, now), TrainingRetry.Options);
            var (verdict, reason) = RetrainingJudge.Judge(seen.Comparison, policy.Judge);
            var state = seen.RolloutState;
            var weight = shadow ? policy.Rollout.ShadowPercent : seen.Weight;
            if (!shadow && state is "rolled_back" or "aborted")
            {
                var ended = $"the rollout was {state.Replace('_', ' ')}: {seen.Note}";
                run = await SaveAsync(context, Step(run, new RetrainingStep(stage, weight, now, seen.Comparison, RolledBackVerdictFor(state), ended)));
                return (LiveVerdict.NotBetter, ended, run);
            }

            run = await SaveAsync(context, Step(run, new RetrainingStep(stage, weight, now, seen.Comparison, RetrainingJudge.Name(verdict), seen.Note ?? reason)));
            var settled = shadow ? now >= minimum && verdict != LiveVerdict.Waiting
                : verdict == LiveVerdict.NotBetter || (verdict == LiveVerdict.Better && state == "completed");
            if (settled)
            {
                return (verdict, reason, run);
            }

            if (now >= deadline)
            {
                return (LiveVerdict.Waiting, $"no verdict within judge.max_wait_minutes ({policy.Judge.MaxWaitMinutes}): {reason}", run);
            }
        }
    }

    private static string RolledBackVerdictFor(string state) => state == "rolled_back" ? RolledBackVerdict : "aborted";

    /// <summary>Adds a reading; one of the same stage and weight as the last replaces it, and at most <see cref="MaxSteps"/> are kept (the first and the newest).</summary>
    public static RetrainingRun Step(RetrainingRun run, RetrainingStep step)
    {
        var steps = run.Steps.ToList();
        if (steps.Count > 0 && steps[^1].Stage == step.Stage && steps[^1].Weight == step.Weight && steps[^1].Verdict == step.Verdict)
        {
            steps[^1] = step;
        }
        else
        {
            steps.Add(step);
        }

        if (steps.Count > MaxSteps)
        {
            steps.RemoveAt(1);
        }

        return run with { Steps = steps };
    }

    private static async Task<RetrainingApproval> WaitForApprovalAsync(TaskOrchestrationContext context, TimeSpan timeout)
    {
        try
        {
            return await context.WaitForExternalEvent<RetrainingApproval>(ApprovalEvent, timeout);
        }
        catch (TaskCanceledException)
        {
            return new RetrainingApproval(false, "timeout",
                string.Create(CultureInfo.InvariantCulture, $"no answer within guardrails.approval_timeout_minutes ({timeout.TotalMinutes:0.##})"), context.CurrentUtcDateTime);
        }
    }

    private static Task<string> RetireAsync(TaskOrchestrationContext context, RetrainingRun run, string champion, string challenger, string reason) =>
        context.CallActivityAsync<string>(RetireChallengerActivity.Name, new RetireInput(run.RunId, run.Model, run.Alias, champion, challenger, reason), TrainingRetry.Options);

    private static Task<RetrainingRun> SaveAsync(TaskOrchestrationContext context, RetrainingRun run)
    {
        context.SetCustomStatus(new RetrainingProgress(run.RunId, run.Status, run.Stage));
        return context.CallActivityAsync<RetrainingRun>(SaveRetrainingRunActivity.Name, run, TrainingRetry.Options);
    }

    private static async Task<RetrainingOutcome> EndAsync(TaskOrchestrationContext context, RetrainingRun run, string decision, string reason, string? challenger)
    {
        var ended = run with
        {
            Status = run.Status == RetrainingStatuses.Failed ? RetrainingStatuses.Failed : RetrainingStatuses.Completed,
            Decision = decision,
            Reason = reason.Length > 2000 ? reason[..1997] + "..." : reason,
            CompletedUtc = context.CurrentUtcDateTime,
        };
        await SaveAsync(context, ended);
        return new RetrainingOutcome(run.RunId, decision, ended.Reason!, challenger);
    }
}
