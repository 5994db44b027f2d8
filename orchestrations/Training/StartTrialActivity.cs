using Microsoft.DurableTask;
using Serverless.Core.Training;
using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Writes the trial's <c>spec.json</c> into its output folder, starts it on the configured <see cref="ITrialRunner"/>
/// and records it as running. Not retried by the orchestration: a second start could launch a second execution.
/// </summary>
[DurableTask(Name)]
public sealed class StartTrialActivity : TaskActivity<TrialWork, TrialExecution>
{
    public const string Name = "TrainingStartTrial";

    private readonly TrialStorage _storage;
    private readonly ITrialRunner _runner;
    private readonly ExperimentStore _experiments;

    public StartTrialActivity(TrialStorage storage, ITrialRunner runner, ExperimentStore experiments)
    {
        _storage = storage;
        _runner = runner;
        _experiments = experiments;
    }

    public override async Task<TrialExecution> RunAsync(TaskActivityContext context, TrialWork work)
    {
        var spec = work.ToSpec(work.OutputUri);
        var specUri = TrialOutputs.Combine(work.OutputUri, TrialOutputs.Spec);
        await _storage.WriteTextAsync(specUri, spec.ToJson(), CancellationToken.None).ConfigureAwait(false);
        var execution = await _runner.StartAsync(spec, specUri, CancellationToken.None).ConfigureAwait(false);
        await _experiments.SaveTrialAsync(new TrialRecord
        {
            SweepId = work.SweepId,
            TrialId = work.Trial.TrialId,
            Algorithm = work.Trial.Algorithm,
            HyperparametersJson = TrialRecords.Json(work.Trial.Hyperparameters),
            Status = TrialStatuses.Running,
            Runner = execution.Runner,
            ExecutionId = execution.ExecutionId,
            OutputUri = work.OutputUri,
            StartedUtc = DateTimeOffset.UtcNow,
        }, CancellationToken.None).ConfigureAwait(false);
        return execution;
    }
}
