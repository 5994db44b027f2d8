using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Serverless.Core.Training;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Training;

/// <summary>
/// Training sweeps' orchestrators and activities as Durable functions: thin wrappers over the classes in
/// orchestrations/Training, which hold all the logic (and are tested on the in-process Durable test host). As every
/// Durable wrapper: activities come by constructor injection (transient, over singleton services); orchestrators are
/// static and need none.
/// </summary>
public sealed class TrainingSweepFunctions
{
    private readonly PrepareSweepDataActivity _prepare;
    private readonly StartTrialActivity _startTrial;
    private readonly CheckTrialActivity _checkTrial;
    private readonly CancelTrialActivity _cancelTrial;
    private readonly CollectTrialActivity _collectTrial;
    private readonly RecordTrialActivity _recordTrial;
    private readonly RecordSweepActivity _recordSweep;
    private readonly RegisterBestModelActivity _registerBest;
    private readonly EvaluateModelActivity _evaluate;
    private readonly ResolveIncumbentActivity _resolveIncumbent;
    private readonly PromoteModelActivity _promote;
    private readonly ResolveWarmStartActivity _resolveWarmStart;

    public TrainingSweepFunctions(
        PrepareSweepDataActivity prepare, StartTrialActivity startTrial, CheckTrialActivity checkTrial, CancelTrialActivity cancelTrial,
        CollectTrialActivity collectTrial, RecordTrialActivity recordTrial, RecordSweepActivity recordSweep, RegisterBestModelActivity registerBest,
        EvaluateModelActivity evaluate, ResolveIncumbentActivity resolveIncumbent, PromoteModelActivity promote, ResolveWarmStartActivity resolveWarmStart)
    {
        _prepare = prepare;
        _startTrial = startTrial;
        _checkTrial = checkTrial;
        _cancelTrial = cancelTrial;
        _collectTrial = collectTrial;
        _recordTrial = recordTrial;
        _recordSweep = recordSweep;
        _registerBest = registerBest;
        _evaluate = evaluate;
        _resolveIncumbent = resolveIncumbent;
        _promote = promote;
        _resolveWarmStart = resolveWarmStart;
    }

    [Function(TrainingSweepOrchestrator.Name)]
    public static Task<SweepResult> Sweep([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new TrainingSweepOrchestrator().RunAsync(context, context.GetInput<SweepInput>()!);

    [Function(RunTrialOrchestrator.Name)]
    public static Task<TrialResult> Trial([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RunTrialOrchestrator().RunAsync(context, context.GetInput<TrialWork>()!);

    [Function(PrepareSweepDataActivity.Name)]
    public Task<SweepData> Prepare([ActivityTrigger] SweepInput input) =>
        _prepare.RunAsync(new NamedActivityContext(PrepareSweepDataActivity.Name), input);

    [Function(StartTrialActivity.Name)]
    public Task<TrialExecution> StartTrial([ActivityTrigger] TrialWork work) =>
        _startTrial.RunAsync(new NamedActivityContext(StartTrialActivity.Name), work);

    [Function(CheckTrialActivity.Name)]
    public Task<TrialExecutionStatus> CheckTrial([ActivityTrigger] TrialExecution execution) =>
        _checkTrial.RunAsync(new NamedActivityContext(CheckTrialActivity.Name), execution);

    [Function(CancelTrialActivity.Name)]
    public Task<bool> CancelTrial([ActivityTrigger] TrialExecution execution) =>
        _cancelTrial.RunAsync(new NamedActivityContext(CancelTrialActivity.Name), execution);

    [Function(CollectTrialActivity.Name)]
    public Task<TrialMetrics> CollectTrial([ActivityTrigger] TrialWork work) =>
        _collectTrial.RunAsync(new NamedActivityContext(CollectTrialActivity.Name), work);

    [Function(RecordTrialActivity.Name)]
    public Task<bool> RecordTrial([ActivityTrigger] TrialRecordInput input) =>
        _recordTrial.RunAsync(new NamedActivityContext(RecordTrialActivity.Name), input);

    [Function(RecordSweepActivity.Name)]
    public Task<bool> RecordSweep([ActivityTrigger] SweepRecord sweep) =>
        _recordSweep.RunAsync(new NamedActivityContext(RecordSweepActivity.Name), sweep);

    [Function(RegisterBestModelActivity.Name)]
    public Task<string> RegisterBest([ActivityTrigger] RegistrationInput input) =>
        _registerBest.RunAsync(new NamedActivityContext(RegisterBestModelActivity.Name), input);

    [Function(EvaluateModelActivity.Name)]
    public Task<EvaluationResult> Evaluate([ActivityTrigger] EvaluationInput input) =>
        _evaluate.RunAsync(new NamedActivityContext(EvaluateModelActivity.Name), input);

    [Function(ResolveIncumbentActivity.Name)]
    public Task<Incumbent> ResolveIncumbent([ActivityTrigger] IncumbentInput input) =>
        _resolveIncumbent.RunAsync(new NamedActivityContext(ResolveIncumbentActivity.Name), input);

    [Function(PromoteModelActivity.Name)]
    public Task<string?> Promote([ActivityTrigger] PromotionInput input) =>
        _promote.RunAsync(new NamedActivityContext(PromoteModelActivity.Name), input);

    [Function(ResolveWarmStartActivity.Name)]
    public Task<WarmStartSource> ResolveWarmStart([ActivityTrigger] WarmStartInput input) =>
        _resolveWarmStart.RunAsync(new NamedActivityContext(ResolveWarmStartActivity.Name), input);
}
