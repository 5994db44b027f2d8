using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Serverless.Core.Training;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Training;

/// <summary>
/// Training sweeps' orchestrators and activities as Durable functions: thin wrappers over the classes in
/// orchestrations/Training, which hold all the logic (and are tested on the in-process Durable test host).
/// </summary>
public sealed class TrainingSweepFunctions
{
    private readonly IServiceProvider _services;

    public TrainingSweepFunctions(IServiceProvider services)
    {
        _services = services;
    }

    [Function(TrainingSweepOrchestrator.Name)]
    public static Task<SweepResult> Sweep([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new TrainingSweepOrchestrator().RunAsync(context, context.GetInput<SweepInput>()!);

    [Function(RunTrialOrchestrator.Name)]
    public static Task<TrialResult> Trial([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RunTrialOrchestrator().RunAsync(context, context.GetInput<TrialWork>()!);

    [Function(PrepareSweepDataActivity.Name)]
    public Task<SweepData> Prepare([ActivityTrigger] SweepInput input) => Run<PrepareSweepDataActivity, SweepInput, SweepData>(PrepareSweepDataActivity.Name, input);

    [Function(StartTrialActivity.Name)]
    public Task<TrialExecution> StartTrial([ActivityTrigger] TrialWork work) => Run<StartTrialActivity, TrialWork, TrialExecution>(StartTrialActivity.Name, work);

    [Function(CheckTrialActivity.Name)]
    public Task<TrialExecutionStatus> CheckTrial([ActivityTrigger] TrialExecution execution) =>
        Run<CheckTrialActivity, TrialExecution, TrialExecutionStatus>(CheckTrialActivity.Name, execution);

    [Function(CancelTrialActivity.Name)]
    public Task<bool> CancelTrial([ActivityTrigger] TrialExecution execution) => Run<CancelTrialActivity, TrialExecution, bool>(CancelTrialActivity.Name, execution);

    [Function(CollectTrialActivity.Name)]
    public Task<TrialMetrics> CollectTrial([ActivityTrigger] TrialWork work) => Run<CollectTrialActivity, TrialWork, TrialMetrics>(CollectTrialActivity.Name, work);

    [Function(RecordTrialActivity.Name)]
    public Task<bool> RecordTrial([ActivityTrigger] TrialRecordInput input) => Run<RecordTrialActivity, TrialRecordInput, bool>(RecordTrialActivity.Name, input);

    [Function(RecordSweepActivity.Name)]
    public Task<bool> RecordSweep([ActivityTrigger] SweepRecord sweep) => Run<RecordSweepActivity, SweepRecord, bool>(RecordSweepActivity.Name, sweep);

    [Function(RegisterBestModelActivity.Name)]
    public Task<string> RegisterBest([ActivityTrigger] RegistrationInput input) =>
        Run<RegisterBestModelActivity, RegistrationInput, string>(RegisterBestModelActivity.Name, input);

    [Function(EvaluateModelActivity.Name)]
    public Task<EvaluationResult> Evaluate([ActivityTrigger] EvaluationInput input) =>
        Run<EvaluateModelActivity, EvaluationInput, EvaluationResult>(EvaluateModelActivity.Name, input);

    [Function(ResolveIncumbentActivity.Name)]
    public Task<Incumbent> ResolveIncumbent([ActivityTrigger] IncumbentInput input) =>
        Run<ResolveIncumbentActivity, IncumbentInput, Incumbent>(ResolveIncumbentActivity.Name, input);

    [Function(PromoteModelActivity.Name)]
    public Task<string?> Promote([ActivityTrigger] PromotionInput input) => Run<PromoteModelActivity, PromotionInput, string?>(PromoteModelActivity.Name, input);

    /// <summary>Resolves the activity per call: activities hold no state and some depend on services only a sweep needs.</summary>
    private Task<TOut> Run<TActivity, TIn, TOut>(string name, TIn input)
        where TActivity : TaskActivity<TIn, TOut> =>
        ((TActivity)_services.GetService(typeof(TActivity))!).RunAsync(new NamedActivityContext(name), input);
}
