using Microsoft.DurableTask;
using Serverless.Core.Training;
using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// A training sweep: prepare the data once (split, baseline, fingerprint); with <c>warm_start_from</c>, find the trained
/// pipeline behind that version (<see cref="ResolveWarmStartActivity"/>) and give it to every trial; fan out the planned trials as
/// <see cref="RunTrialOrchestrator"/> sub-orchestrations with bounded parallelism; fan in a leaderboard on the
/// sweep's metric; register the best as a new version with its manifest and baseline; evaluate it as served and,
/// under <c>promote-if-better</c>, against the incumbent on the same validation rows, then move the alias
/// conditionally. A failed trial is recorded and skipped; the sweep fails only when every trial does. Progress
/// (trials done/total, best so far) is the custom status; every step is tracked in the experiment store.
/// Deterministic: no I/O, time from the context.
/// </summary>
[DurableTask(Name)]
public sealed class TrainingSweepOrchestrator : TaskOrchestrator<SweepInput, SweepResult>
{
    public const string Name = "TrainingSweep";

    public override async Task<SweepResult> RunAsync(TaskOrchestrationContext context, SweepInput input)
    {
        var request = input.Request;
        var trials = TrialPlanner.Plan(request, input.MaxTrials);
        var record = new SweepRecord
        {
            SweepId = input.SweepId,
            Status = SweepRecord.Running,
            ModelName = request.ModelName,
            Dataset = request.Dataset,
            Target = request.Target,
            Task = request.Task,
            Metric = request.Metric,
            RequestJson = input.RequestJson,
            TrialsTotal = trials.Count,
            CreatedUtc = context.CurrentUtcDateTime,
        };
        var progress = new SweepProgress(SweepStages.PreparingData, trials.Count, 0, 0, request.Metric, null, null);
        context.SetCustomStatus(progress);
        await context.CallActivityAsync<bool>(RecordSweepActivity.Name, record, TrainingRetry.Options);

        try
        {
            return await RunSweepAsync(context, input, trials, record, progress);
        }
        catch (TaskFailedException e)
        {
            await FailAsync(context, record, e.FailureDetails.ErrorMessage);
            throw;
        }
    }

    private static async Task<SweepResult> RunSweepAsync(TaskOrchestrationContext context, SweepInput input, IReadOnlyList<TrialPlan> trials,
        SweepRecord record, SweepProgress progress)
    {
        var request = input.Request;
        var data = await context.CallActivityAsync<SweepData>(PrepareSweepDataActivity.Name, input, TrainingRetry.Options);
        record = record with { DataFingerprint = data.Fingerprint, TrainRows = data.TrainRows, ValidationRows = data.ValidationRows };
        await context.CallActivityAsync<bool>(RecordSweepActivity.Name, record, TrainingRetry.Options);
        var warm = request.WarmStartFrom is { } from
            ? await context.CallActivityAsync<WarmStartSource>(ResolveWarmStartActivity.Name, new WarmStartInput(from.Model ?? request.ModelName, from.Version),
                TrainingRetry.Options)
            : null;

        progress = progress with { Stage = SweepStages.Training };
        context.SetCustomStatus(progress);
        var results = await BoundedFanOut.RunAsync(trials, request.MaxParallelTrials,
            trial => context.CallSubOrchestratorAsync<TrialResult>(RunTrialOrchestrator.Name,
                new TrialWork(input.SweepId, trial, request, data, TrialFolder(data, trial), input.PollInterval, input.TrialTimeout, warm?.Source),
                new SubOrchestrationOptions { InstanceId = $"{input.SweepId}-{trial.TrialId}" }),
            (done, result) =>
            {
                var best = result.IsSuccess && (progress.BestValue is not { } value || MetricNames.IsBetter(request.Metric, result.Metrics[request.Metric], value));
                progress = progress with
                {
                    TrialsDone = done,
                    TrialsFailed = progress.TrialsFailed + (result.IsSuccess ? 0 : 1),
                    BestTrialId = best ? result.TrialId : progress.BestTrialId,
                    BestValue = best ? result.Metrics[request.Metric] : progress.BestValue,
                };
                context.SetCustomStatus(progress);
            });

        var leaderboard = Leaderboard(results, request.Metric);
        var failed = results.Length - leaderboard.Count;
        record = record with { TrialsSucceeded = leaderboard.Count, TrialsFailed = failed };
        if (leaderboard.Count == 0)
        {
            var error = $"All {results.Length} trial(s) failed; the first: {results.FirstOrDefault()?.Error}";
            await FailAsync(context, record, error);
            throw new InvalidOperationException(error);
        }

        var winner = leaderboard[0];
        var bestValue = winner.Metrics[request.Metric];
        context.SetCustomStatus(progress with { Stage = SweepStages.Registering });
        var version = await context.CallActivityAsync<string>(RegisterBestModelActivity.Name,
            new RegistrationInput(request.ModelName, input.SweepId, winner, request.Metric, data.BaselineUri, data.FeatureSets), TrainingRetry.Options);

        context.SetCustomStatus(progress with { Stage = SweepStages.Evaluating });
        var served = await EvaluateAsync(context, request, data, version, recordPredictionBaseline: true);
        var (promoted, reason) = await PromoteAsync(context, request, data, version, served);

        record = record with
        {
            Status = SweepRecord.Completed,
            BestTrialId = winner.TrialId,
            BestValue = bestValue,
            RegisteredVersion = version,
            Promoted = promoted,
            PromotionReason = reason,
            CompletedUtc = context.CurrentUtcDateTime,
        };
        await context.CallActivityAsync<bool>(RecordSweepActivity.Name, record, TrainingRetry.Options);
        context.SetCustomStatus(progress with { Stage = SweepStages.Completed });
        return new SweepResult(input.SweepId, request.Metric, winner.TrialId, bestValue, request.ModelName, version,
            served.Metrics.TryGetValue(request.Metric, out var s) ? s : null, promoted, reason, leaderboard, failed, warm?.Reason);
    }

    /// <summary>Successful trials, best first on the metric (<see cref="Core.Training.Leaderboard"/>).</summary>
    public static IReadOnlyList<TrialResult> Leaderboard(IEnumerable<TrialResult> results, string metric) =>
        Core.Training.Leaderboard.Rank(results, metric, r => r.IsSuccess, r => r.TrialId, r => r.Metrics);

    private static Task<EvaluationResult> EvaluateAsync(TaskOrchestrationContext context, TrainingSweepRequest request, SweepData data, string version,
        bool recordPredictionBaseline = false) =>
        context.CallActivityAsync<EvaluationResult>(EvaluateModelActivity.Name,
            new EvaluationInput(request.ModelName, version, data.ValidationUri, request.Target, request.Task, data.PositiveClass, recordPredictionBaseline),
            TrainingRetry.Options);

    private static async Task<(bool Promoted, string Reason)> PromoteAsync(TaskOrchestrationContext context, TrainingSweepRequest request, SweepData data,
        string version, EvaluationResult candidate)
    {
        var policy = request.Promotion;
        if (policy.Policy != PromotionPolicy.PromoteIfBetter)
        {
            return (false, "promotion policy is 'none'");
        }

        var metric = request.Metric;
        if (!candidate.Metrics.TryGetValue(metric, out var candidateValue))
        {
            return (false, $"the new version could not be evaluated as served ({candidate.FirstRefusal ?? "no rows scored"})");
        }

        var incumbent = await context.CallActivityAsync<Incumbent>(ResolveIncumbentActivity.Name, new IncumbentInput(request.ModelName, policy.Alias),
            TrainingRetry.Options);
        string reason;
        if (incumbent.Version is null)
        {
            reason = $"no version had alias '{policy.Alias}'; version {version} ({metric} {candidateValue:G6}) takes it";
        }
        else
        {
            var current = await EvaluateAsync(context, request, data, incumbent.Version);
            if (current.Metrics.TryGetValue(metric, out var currentValue) && current.RowsRefused == 0)
            {
                if (!MetricNames.IsBetter(metric, candidateValue, currentValue, policy.Margin))
                {
                    return (false, $"version {version} ({metric} {candidateValue:G6}) does not beat version {incumbent.Version} ({currentValue:G6}) " +
                                   $"by more than {policy.Margin:G6} on this sweep's validation rows");
                }

                reason = $"version {version} ({metric} {candidateValue:G6}) beats version {incumbent.Version} ({currentValue:G6}) by more than {policy.Margin:G6}";
            }
            else
            {
                return (false, $"version {incumbent.Version} cannot be judged on this sweep's validation rows ({current.RowsRefused} refused: " +
                               $"{current.FirstRefusal}), so the two cannot be compared on the same data; move alias '{policy.Alias}' by hand if version {version} " +
                               $"({metric} {candidateValue:G6}) should serve");
            }
        }

        var refused = await context.CallActivityAsync<string?>(PromoteModelActivity.Name,
            new PromotionInput(request.ModelName, policy.Alias, version, incumbent.ETag, context.InstanceId, reason), TrainingRetry.Options);
        return refused is null ? (true, reason) : (false, refused);
    }

    private static Task FailAsync(TaskOrchestrationContext context, SweepRecord record, string error) =>
        context.CallActivityAsync<bool>(RecordSweepActivity.Name,
            record with { Status = SweepRecord.Failed, Error = error, CompletedUtc = context.CurrentUtcDateTime }, TrainingRetry.Options);

    private static string TrialFolder(SweepData data, TrialPlan trial) =>
        data.TrainUri[..data.TrainUri.LastIndexOf("/data/", StringComparison.Ordinal)] + $"/trials/{trial.TrialId}";
}
