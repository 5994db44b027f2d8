using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Serverless.Core.Retraining;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Retraining;

namespace Serverless.Functions.Retraining;

/// <summary>
/// The retraining orchestration and its activities as Durable functions: thin wrappers over the classes in
/// orchestrations/Retraining (tested on the in-process Durable test host). The sweep it runs as a sub-orchestration and
/// the incumbent it reads are the training sweeps' own functions.
/// </summary>
public sealed class RetrainingDurableFunctions
{
    private readonly SaveRetrainingRunActivity _save;
    private readonly ExportRetrainingDataActivity _export;
    private readonly SetShadowActivity _shadow;
    private readonly StartRetrainingRolloutActivity _rollout;
    private readonly ObserveRetrainingActivity _observe;
    private readonly RetireChallengerActivity _retire;

    public RetrainingDurableFunctions(SaveRetrainingRunActivity save, ExportRetrainingDataActivity export, SetShadowActivity shadow,
        StartRetrainingRolloutActivity rollout, ObserveRetrainingActivity observe, RetireChallengerActivity retire)
    {
        _save = save;
        _export = export;
        _shadow = shadow;
        _rollout = rollout;
        _observe = observe;
        _retire = retire;
    }

    [Function(RetrainingOrchestrator.Name)]
    public static Task<RetrainingOutcome> Retrain([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RetrainingOrchestrator().RunAsync(context, context.GetInput<RetrainingInput>()!);

    [Function(SaveRetrainingRunActivity.Name)]
    public Task<RetrainingRun> Save([ActivityTrigger] RetrainingRun run) => _save.RunAsync(new NamedActivityContext(SaveRetrainingRunActivity.Name), run);

    [Function(ExportRetrainingDataActivity.Name)]
    public Task<RetrainingDataset> Export([ActivityTrigger] ExportInput input) =>
        _export.RunAsync(new NamedActivityContext(ExportRetrainingDataActivity.Name), input);

    [Function(SetShadowActivity.Name)]
    public Task<string?> Shadow([ActivityTrigger] ShadowInput input) => _shadow.RunAsync(new NamedActivityContext(SetShadowActivity.Name), input);

    [Function(StartRetrainingRolloutActivity.Name)]
    public Task<string?> Rollout([ActivityTrigger] RolloutInput input) =>
        _rollout.RunAsync(new NamedActivityContext(StartRetrainingRolloutActivity.Name), input);

    [Function(ObserveRetrainingActivity.Name)]
    public Task<Observation> Observe([ActivityTrigger] ObserveInput input) => _observe.RunAsync(new NamedActivityContext(ObserveRetrainingActivity.Name), input);

    [Function(RetireChallengerActivity.Name)]
    public Task<string> Retire([ActivityTrigger] RetireInput input) => _retire.RunAsync(new NamedActivityContext(RetireChallengerActivity.Name), input);
}
