using Microsoft.DurableTask;
using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>Stops a trial's execution (on timeout). Idempotent.</summary>
[DurableTask(Name)]
public sealed class CancelTrialActivity : TaskActivity<TrialExecution, bool>
{
    public const string Name = "TrainingCancelTrial";

    private readonly ITrialRunner _runner;

    public CancelTrialActivity(ITrialRunner runner)
    {
        _runner = runner;
    }

    public override async Task<bool> RunAsync(TaskActivityContext context, TrialExecution execution)
    {
        await _runner.CancelAsync(execution, CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}
