using Microsoft.DurableTask;
using Serverless.Core.Telemetry;
using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>What <see cref="RecordTrialActivity"/> stores.</summary>
public sealed record TrialRecordInput(string SweepId, TrialResult Result, TrialExecutionInfo? Execution);

/// <summary>Stores a trial's final record in the experiment store (an upsert, safe to retry).</summary>
[DurableTask(Name)]
public sealed class RecordTrialActivity : TaskActivity<TrialRecordInput, bool>
{
    public const string Name = "TrainingRecordTrial";

    private readonly ExperimentStore _experiments;

    public RecordTrialActivity(ExperimentStore experiments)
    {
        _experiments = experiments;
    }

    public override async Task<bool> RunAsync(TaskActivityContext context, TrialRecordInput input)
    {
        await _experiments.SaveTrialAsync(TrialRecords.From(input.SweepId, input.Result, input.Execution), CancellationToken.None).ConfigureAwait(false);
        AppMetrics.RecordTrial(input.Result.Algorithm, input.Result.Status, input.Result.TrainSeconds);
        return true;
    }
}
