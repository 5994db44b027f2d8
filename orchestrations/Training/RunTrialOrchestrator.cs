using Microsoft.DurableTask;
using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Runs one trial as its own orchestration (so the sweep's history stays small): start it on the trial runner,
/// poll its status on durable timers (the interval grows 1.5× per poll up to a minute), collect its metrics when
/// it succeeds, cancel it when it outlives its timeout, and record the outcome. Never throws for a failed trial:
/// the failure is the result, so one bad trial cannot fail the sweep. Deterministic: no I/O, time from the context.
/// </summary>
[DurableTask(Name)]
public sealed class RunTrialOrchestrator : TaskOrchestrator<TrialWork, TrialResult>
{
    public const string Name = "TrainingRunTrial";

    private static readonly TimeSpan MaxPoll = TimeSpan.FromMinutes(1);

    public override async Task<TrialResult> RunAsync(TaskOrchestrationContext context, TrialWork work)
    {
        var started = context.CurrentUtcDateTime;
        TrialExecution? execution = null;
        TrialResult result;
        try
        {
            execution = await context.CallActivityAsync<TrialExecution>(StartTrialActivity.Name, work);
            result = await WaitAsync(context, work, execution, started);
        }
        catch (TaskFailedException e)
        {
            result = Failed(work, started, context.CurrentUtcDateTime, e.FailureDetails.ErrorMessage);
        }

        var info = execution is null ? null : new TrialExecutionInfo(execution.Runner, execution.ExecutionId);
        await context.CallActivityAsync<bool>(RecordTrialActivity.Name, new TrialRecordInput(work.SweepId, result, info), TrainingRetry.Options);
        return result;
    }

    private static async Task<TrialResult> WaitAsync(TaskOrchestrationContext context, TrialWork work, TrialExecution execution, DateTime started)
    {
        var deadline = started.Add(work.Timeout);
        var interval = work.PollInterval > TimeSpan.Zero ? work.PollInterval : TimeSpan.FromSeconds(1);
        while (true)
        {
            await context.CreateTimer(context.CurrentUtcDateTime.Add(interval), CancellationToken.None);
            interval = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, Math.Max(interval.Ticks, (long)(interval.Ticks * 1.5))));
            var status = await context.CallActivityAsync<TrialExecutionStatus>(CheckTrialActivity.Name, execution, TrainingRetry.Options);
            switch (status.State)
            {
                case TrialState.Succeeded:
                    var metrics = await context.CallActivityAsync<TrialMetrics>(CollectTrialActivity.Name, work, TrainingRetry.Options);
                    return new TrialResult(work.Trial.TrialId, work.Trial.Algorithm, work.Trial.Hyperparameters, TrialStatuses.Succeeded, metrics.Metrics,
                        null, work.OutputUri, metrics.TrainSeconds, started, context.CurrentUtcDateTime, metrics.WarmStart, metrics.WarmStartNote);
                case TrialState.Failed:
                    return Failed(work, started, context.CurrentUtcDateTime, status.Message ?? "the trial failed");
            }

            if (context.CurrentUtcDateTime >= deadline)
            {
                await context.CallActivityAsync<bool>(CancelTrialActivity.Name, execution, TrainingRetry.Options);
                return Failed(work, started, context.CurrentUtcDateTime,
                    $"timed out after {work.Timeout.TotalMinutes:G4} minute(s) on the {execution.Runner} runner (execution {execution.ExecutionId}); it was cancelled");
            }
        }
    }

    private static TrialResult Failed(TrialWork work, DateTime started, DateTime ended, string error) =>
        new(work.Trial.TrialId, work.Trial.Algorithm, work.Trial.Hyperparameters, TrialStatuses.Failed, new Dictionary<string, double>(), error,
            work.OutputUri, null, started, ended);
}
