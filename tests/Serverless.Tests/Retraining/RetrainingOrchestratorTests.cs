using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Core.Retraining;
using Serverless.Core.Training;
using Serverless.Orchestrations.Retraining;
using Serverless.Orchestrations.Training;
using Serverless.Tests.Support;

namespace Serverless.Tests.Retraining;

/// <summary>
/// The retraining run on the in-process Durable test host with fake activities: the live evidence, the rollout's state and
/// the sweep are scripted, and what the run asked for (shadow, rollout, retirement) and recorded is checked.
/// </summary>
public sealed class RetrainingOrchestratorTests
{
    private readonly ConcurrentQueue<RetrainingRun> _saved = new();
    private readonly ConcurrentQueue<ShadowInput> _shadows = new();
    private readonly ConcurrentQueue<RolloutInput> _rollouts = new();
    private readonly ConcurrentQueue<RetireInput> _retired = new();
    private int _sweeps;
    private int _observations;

    [Fact]
    public async Task Run_ChallengerWinsInShadowAndRollout_IsPromotedWithItsLineage()
    {
        await using var host = await StartHostAsync(shadow: Better, rollout: n => n < 2 ? ("running", 50, Better) : ("completed", 100, Better));

        var (metadata, outcome) = await RunAsync(host, Policy());

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(RetrainingDecisions.Promoted, outcome.Decision);
        Assert.Equal("2", outcome.Challenger);
        Assert.Equal([100, 0], _shadows.Select(s => s.Percent));
        Assert.Single(_rollouts);
        Assert.Empty(_retired);
        var last = _saved.Last();
        Assert.Equal((RetrainingStatuses.Completed, RetrainingDecisions.Promoted), (last.Status, last.Decision));
        Assert.Equal("1", last.Champion);
        Assert.Equal("fp", last.Data!.Fingerprint);
        Assert.Equal(["t001"], last.Sweep!.Leaderboard.Select(t => t.TrialId));
        Assert.True(last.Sweep.WarmStart, last.Sweep.WarmStartNote);
        Assert.Equal($"trial t001 (lbfgs in 1 s): continued lbfgs from version 1 of {last.Model}", last.Sweep.WarmStartNote);
        Assert.Contains(last.Steps, s => s.Stage == RetrainingStages.Shadow && s.Verdict == "better");
        Assert.Contains(last.Steps, s => s.Stage == RetrainingStages.Rollout && s.Weight == 100 && s.Verdict == "better");
        Assert.Contains("the challenger wins", last.Reason);
        Assert.Equal(Enumerable.Range(2, _saved.Count), _saved.Select(r => r.Revision));
    }

    [Fact]
    public void WarmStartOf_WinnerTrainedFromScratch_SaysItsTrainersReason()
    {
        var winner = Trial("t002", "lightgbm", false, "lightgbm cannot continue from a model (only lbfgs can in ML.NET); trained from scratch");

        var (warm, note) = RetrainingOrchestrator.WarmStartOf(Sweep("t002", [winner, Trial("t001", "lbfgs", true, "continued")]));

        Assert.False(warm);
        Assert.Equal("trial t002 (lightgbm in 2.5 s): lightgbm cannot continue from a model (only lbfgs can in ML.NET); trained from scratch", note);
    }

    [Fact]
    public void WarmStartOf_NoSourceFound_SaysTheSweepsReason()
    {
        var (warm, note) = RetrainingOrchestrator.WarmStartOf(Sweep("t001", [Trial("t001", "lbfgs", null, null)], "version 1 of churn was not registered by a training sweep"));

        Assert.False(warm);
        Assert.Equal("trained from scratch: version 1 of churn was not registered by a training sweep", note);
    }

    private static TrialResult Trial(string id, string algorithm, bool? warm, string? note) =>
        new(id, algorithm, new Dictionary<string, JsonElement>(), TrialResult.Succeeded, new Dictionary<string, double> { [MetricNames.Auc] = 0.8 }, null, "x", 2.5,
            DateTime.UnixEpoch, DateTime.UnixEpoch, warm, note);

    private static SweepResult Sweep(string best, IReadOnlyList<TrialResult> trials, string? note = null) =>
        new("s", MetricNames.Auc, best, 0.8, "churn", "2", 0.8, false, "none", trials, 0, note);

    [Fact]
    public async Task Run_ChallengerNotBetterInShadow_IsRetiredWithoutARollout()
    {
        await using var host = await StartHostAsync(shadow: Worse, rollout: _ => ("running", 10, Better));

        var (_, outcome) = await RunAsync(host, Policy());

        Assert.Equal(RetrainingDecisions.Retired, outcome.Decision);
        Assert.Contains("in the shadow, the challenger does not win", outcome.Reason);
        Assert.Empty(_rollouts);
        Assert.Equal([100, 0], _shadows.Select(s => s.Percent));
    }

    [Fact]
    public async Task Run_ChallengerWorseDuringTheRollout_IsRetiredAndTheRolloutAborted()
    {
        await using var host = await StartHostAsync(shadow: Better, rollout: _ => ("running", 10, Worse));

        var (_, outcome) = await RunAsync(host, Policy());

        Assert.Equal(RetrainingDecisions.Retired, outcome.Decision);
        Assert.Equal("2", Assert.Single(_retired).Challenger);
    }

    [Fact]
    public async Task Run_GuardRollsTheRolloutBack_IsRolledBack()
    {
        await using var host = await StartHostAsync(shadow: Better, rollout: _ => ("rolled_back", 10, Waiting));

        var (_, outcome) = await RunAsync(host, Policy());

        Assert.Equal(RetrainingDecisions.RolledBack, outcome.Decision);
        Assert.Contains("error rate", outcome.Reason);
        Assert.Empty(_retired);
    }

    [Fact]
    public async Task Run_TooFewLabelledRows_IsSkippedBeforeTheSweep()
    {
        await using var host = await StartHostAsync(shadow: Better, rollout: _ => ("completed", 100, Better), labelledRows: 5);

        var (_, outcome) = await RunAsync(host, Policy());

        Assert.Equal(RetrainingDecisions.Skipped, outcome.Decision);
        Assert.Contains("guardrails.min_labelled_rows is 10", outcome.Reason);
        Assert.Equal(0, _sweeps);
    }

    [Fact]
    public async Task Run_ApprovalRequired_WaitsThenARejectionEndsItUnserved()
    {
        await using var host = await StartHostAsync(shadow: Better, rollout: _ => ("completed", 100, Better));
        var policy = Policy() with { Guardrails = Policy().Guardrails with { ApprovalRequired = true } };

        var id = await ScheduleAsync(host, policy);
        await WaitForAsync(() => _saved.Any(r => r.Status == RetrainingStatuses.WaitingForApproval));
        var waiting = await host.Client.GetInstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Running, waiting!.RuntimeStatus);
        await host.Client.RaiseEventAsync(id, RetrainingOrchestrator.ApprovalEvent, new RetrainingApproval(false, "operator", "not now", DateTimeOffset.UtcNow));
        var outcome = (await CompleteAsync(host, id)).ReadOutputAs<RetrainingOutcome>()!;

        Assert.Equal(RetrainingDecisions.Rejected, outcome.Decision);
        Assert.Contains("operator: not now", outcome.Reason);
        Assert.Empty(_shadows);
        Assert.Equal("operator", _saved.Last().Approval!.By);
    }

    [Fact]
    public async Task Run_ApprovalRequired_ApprovedGoesOnToPromotion()
    {
        await using var host = await StartHostAsync(shadow: Better, rollout: _ => ("completed", 100, Better));
        var policy = Policy() with { Guardrails = Policy().Guardrails with { ApprovalRequired = true } };

        var id = await ScheduleAsync(host, policy);
        await WaitForAsync(() => _saved.Any(r => r.Status == RetrainingStatuses.WaitingForApproval));
        await host.Client.RaiseEventAsync(id, RetrainingOrchestrator.ApprovalEvent, new RetrainingApproval(true, "operator", null, DateTimeOffset.UtcNow));

        Assert.Equal(RetrainingDecisions.Promoted, (await CompleteAsync(host, id)).ReadOutputAs<RetrainingOutcome>()!.Decision);
    }

    [Fact]
    public async Task Run_ApprovalRequiredAndNoAnswerWithinTheTimeout_EndsRejectedByTheTimeoutUnserved()
    {
        await using var host = await StartHostAsync(shadow: Better, rollout: _ => ("completed", 100, Better));
        var policy = Policy() with { Guardrails = Policy().Guardrails with { ApprovalRequired = true } };

        var outcome = (await CompleteAsync(host, await ScheduleAsync(host, policy, approvalTimeout: TimeSpan.FromMilliseconds(200)))).ReadOutputAs<RetrainingOutcome>()!;

        Assert.Equal(RetrainingDecisions.Rejected, outcome.Decision);
        Assert.StartsWith("not approved (timeout: no answer within guardrails.approval_timeout_minutes", outcome.Reason);
        Assert.Contains("challenger '2' never served traffic", outcome.Reason);
        Assert.Empty(_shadows);
        Assert.Empty(_rollouts);
        var last = _saved.Last();
        Assert.Equal((false, "timeout"), (last.Approval!.Approved, last.Approval.By));
        Assert.Contains(_saved, r => r.Status == RetrainingStatuses.WaitingForApproval);
    }

    /// <summary>Not the constant itself: the Durable analyzers refuse one activity name registered in two test classes.</summary>
    private static readonly string IncumbentActivity = ResolveIncumbentActivity.Name;

    private static readonly (long, long, double, double) Better = (50, 50, 0.9, 0.7);
    private static readonly (long, long, double, double) Worse = (50, 50, 0.6, 0.7);
    private static readonly (long, long, double, double) Waiting = (3, 50, 0.9, 0.7);

    private static RetrainingPolicy Policy() => new()
    {
        Triggers = [RetrainingSources.Manual],
        Data = new RetrainingData(),
        Sweep = JsonDocument.Parse("{}").RootElement,
        Rollout = new RetrainingRollout { ShadowPercent = 100, Steps = [50, 100], MinStepMinutes = 0, MinStepRequests = 1 },
        Judge = new RetrainingJudging { MinLabelledRows = 20, MaxWaitMinutes = 60 },
        Guardrails = new RetrainingGuardrails { MinLabelledRows = 10 },
    };

    private async Task<(OrchestrationMetadata Metadata, RetrainingOutcome Outcome)> RunAsync(DurableTaskTestHost host, RetrainingPolicy policy)
    {
        var metadata = await CompleteAsync(host, await ScheduleAsync(host, policy));
        return (metadata, metadata.ReadOutputAs<RetrainingOutcome>()!);
    }

    private static Task<string> ScheduleAsync(DurableTaskTestHost host, RetrainingPolicy policy, TimeSpan? approvalTimeout = null)
    {
        var run = new RetrainingRun
        {
            RunId = "rt-20260101-000000-abcdef", Model = "churn", Alias = "production", Status = RetrainingStatuses.Running,
            Trigger = new RetrainingTrigger(RetrainingSources.Manual, "test"), CreatedUtc = DateTimeOffset.UtcNow, Revision = 1, ETag = "e1",
        };
        var sweep = new TrainingSweepRequest
        {
            Dataset = "training/retraining/churn/x.csv", Target = "churned", Task = "binary", Metric = MetricNames.Auc, ModelName = "churn",
            Algorithms = [new AlgorithmSearch { Name = "sdca" }],
        };
        var input = new RetrainingInput(run, policy, sweep, "{}", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), 10, approvalTimeout);
        return host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainingOrchestrator.Name, input);
    }

    private static async Task<OrchestrationMetadata> CompleteAsync(DurableTaskTestHost host, string id)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancel.Token);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(50, cancel.Token);
        }
    }

    private Task<DurableTaskTestHost> StartHostAsync((long, long, double, double) shadow, Func<int, (string State, int Weight, (long, long, double, double) Live)> rollout,
        long labelledRows = 100) =>
        DurableTestHosts.StartAsync(registry =>
        {
            registry.AddOrchestrator<RetrainingOrchestrator>();
            registry.AddOrchestrator(TrainingSweepOrchestrator.Name, new FakeSweep(() => Interlocked.Increment(ref _sweeps)));
            registry.AddActivityFunc<IncumbentInput, Incumbent>(IncumbentActivity, (_, _) => new Incumbent("1", "a1"));
            registry.AddActivityFunc<RetrainingRun, RetrainingRun>(SaveRetrainingRunActivity.Name, (_, run) =>
            {
                var saved = run with { Revision = run.Revision + 1, ETag = "e" + (run.Revision + 1) };
                _saved.Enqueue(saved);
                return saved;
            });
            registry.AddActivityFunc<ExportInput, RetrainingDataset>(ExportRetrainingDataActivity.Name, (_, input) =>
                new RetrainingDataset(input.Dataset, input.Data.Source, input.NowUtc.AddHours(-24), input.NowUtc, labelledRows, 0, 7, "fp", ["x", "churned"]));
            registry.AddActivityFunc<ShadowInput, string?>(SetShadowActivity.Name, (TaskActivityContext _, ShadowInput input) =>
            {
                _shadows.Enqueue(input);
                return (string?)null;
            });
            registry.AddActivityFunc<RolloutInput, string?>(StartRetrainingRolloutActivity.Name, (TaskActivityContext _, RolloutInput input) =>
            {
                _rollouts.Enqueue(input);
                return (string?)null;
            });
            registry.AddActivityFunc<ObserveInput, Observation>(ObserveRetrainingActivity.Name, (_, input) =>
            {
                if (input.Shadow)
                {
                    return new Observation(Comparison(input, shadow), null, 0, null);
                }

                var (state, weight, live) = rollout(Interlocked.Increment(ref _observations) - 1);
                return new Observation(Comparison(input, live), state, weight, state == "rolled_back" ? "guard broken: error rate 9 % above 2 %" : "step note");
            });
            registry.AddActivityFunc<RetireInput, string>(RetireChallengerActivity.Name, (_, input) =>
            {
                _retired.Enqueue(input);
                return "rollout aborted";
            });
        });

    private static LiveComparison Comparison(ObserveInput input, (long Mine, long Theirs, double A, double B) live) =>
        new(input.FromUtc, input.NowUtc, MetricNames.Auc, live.A, live.B, live.Mine, live.Theirs);

    /// <summary>A sweep that registers version 2 at once, its one trial at AUC 0.88.</summary>
    private sealed class FakeSweep(Action ran) : TaskOrchestrator<SweepInput, SweepResult>
    {
        public override Task<SweepResult> RunAsync(TaskOrchestrationContext context, SweepInput input)
        {
            ran();
            var warm = input.Request.WarmStartFrom;
            var trial = new TrialResult("t001", "lbfgs", new Dictionary<string, JsonElement>(), TrialResult.Succeeded,
                new Dictionary<string, double> { [MetricNames.Auc] = 0.88 }, null, "x", 1, DateTime.UnixEpoch, DateTime.UnixEpoch,
                warm is null ? null : true, warm is null ? null : $"continued lbfgs from version {warm.Version} of {warm.Model}");
            return Task.FromResult(new SweepResult(input.SweepId, MetricNames.Auc, "t001", 0.88, "churn", "2", 0.88, false, "policy none", [trial], 0));
        }
    }
}
