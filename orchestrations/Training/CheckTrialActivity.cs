using Microsoft.DurableTask;
using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>Asks the runner where a trial's execution stands. Idempotent.</summary>
[DurableTask(Name)]
public sealed class CheckTrialActivity : TaskActivity<TrialExecution, TrialExecutionStatus>
{
    public const string Name = "TrainingCheckTrial";

    private readonly ITrialRunner _runner;

    public CheckTrialActivity(ITrialRunner runner)
    {
        _runner = runner;
    }

    public override Task<TrialExecutionStatus> RunAsync(TaskActivityContext context, TrialExecution execution) =>
        _runner.GetStatusAsync(execution, CancellationToken.None);
}
