using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Serverless.Orchestrations;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// Batch scoring's orchestrators and activities as Durable functions: thin wrappers over the classes in
/// orchestrations/, which hold all the logic (and are tested on the in-process Durable test host). As every Durable
/// wrapper: activities come by constructor injection (transient, over singleton services); orchestrators are static
/// and need none.
/// </summary>
public sealed class BatchScoringFunctions
{
    private readonly PlanBatchActivity _plan;
    private readonly CountRowsActivity _count;
    private readonly ScoreChunkActivity _score;
    private readonly WriteManifestActivity _manifest;
    private readonly MergeOutputsActivity _merge;
    private readonly ScorePlannedJobActivity _planned;

    public BatchScoringFunctions(PlanBatchActivity plan, CountRowsActivity count, ScoreChunkActivity score, WriteManifestActivity manifest,
        MergeOutputsActivity merge, ScorePlannedJobActivity planned)
    {
        _planned = planned;
        _plan = plan;
        _count = count;
        _score = score;
        _manifest = manifest;
        _merge = merge;
    }

    [Function(BatchScoringOrchestrator.Name)]
    public static Task<BatchScoringResult> Orchestrate([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new BatchScoringOrchestrator().RunAsync(context, context.GetInput<BatchScoringRequest>()!);

    [Function(CountChunkGroupOrchestrator.Name)]
    public static Task<long[]> CountGroup([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new CountChunkGroupOrchestrator().RunAsync(context, context.GetInput<CountGroup>()!);

    [Function(ScoreChunkGroupOrchestrator.Name)]
    public static Task<ChunkResult[]> ScoreGroup([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ScoreChunkGroupOrchestrator().RunAsync(context, context.GetInput<ScoreGroup>()!);

    [Function(PlanBatchActivity.Name)]
    public Task<BatchPlan> Plan([ActivityTrigger] BatchScoringRequest request) =>
        _plan.RunAsync(new NamedActivityContext(PlanBatchActivity.Name), request);

    [Function(CountRowsActivity.Name)]
    public Task<long> CountRows([ActivityTrigger] CountWork work) =>
        _count.RunAsync(new NamedActivityContext(CountRowsActivity.Name), work);

    [Function(ScoreChunkActivity.Name)]
    public Task<ChunkResult> ScoreChunk([ActivityTrigger] ChunkWork work) =>
        _score.RunAsync(new NamedActivityContext(ScoreChunkActivity.Name), work);

    [Function(ScorePlannedJobActivity.Name)]
    public Task<PlannedJobResult> ScorePlanned([ActivityTrigger] PlannedJob job) =>
        _planned.RunAsync(new NamedActivityContext(ScorePlannedJobActivity.Name), job);

    [Function(WriteManifestActivity.Name)]
    public Task<string> WriteManifest([ActivityTrigger] ManifestInput input) =>
        _manifest.RunAsync(new NamedActivityContext(WriteManifestActivity.Name), input);

    [Function(MergeOutputsActivity.Name)]
    public Task<string> Merge([ActivityTrigger] MergeInput input) =>
        _merge.RunAsync(new NamedActivityContext(MergeOutputsActivity.Name), input);
}
