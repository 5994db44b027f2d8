using Microsoft.DurableTask;
using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>Stores the sweep's record as it stands (an upsert, safe to retry).</summary>
[DurableTask(Name)]
public sealed class RecordSweepActivity : TaskActivity<SweepRecord, bool>
{
    public const string Name = "TrainingRecordSweep";

    private readonly ExperimentStore _experiments;

    public RecordSweepActivity(ExperimentStore experiments)
    {
        _experiments = experiments;
    }

    public override async Task<bool> RunAsync(TaskActivityContext context, SweepRecord sweep)
    {
        await _experiments.SaveSweepAsync(sweep, CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}
