using Microsoft.DurableTask;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>Scores one group of chunks with bounded parallelism (a sub-orchestration of <see cref="BatchScoringOrchestrator"/>).</summary>
[DurableTask(Name)]
public sealed class ScoreChunkGroupOrchestrator : TaskOrchestrator<ScoreGroup, ChunkResult[]>
{
    public const string Name = "BatchScoringScoreGroup";

    public override Task<ChunkResult[]> RunAsync(TaskOrchestrationContext context, ScoreGroup input) =>
        BoundedFanOut.RunAsync(input.Work(), input.MaxParallelism,
            work => context.CallActivityAsync<ChunkResult>(ScoreChunkActivity.Name, work, BatchScoringRetry.Options),
            (done, _) => context.SetCustomStatus(new ChunkGroupProgress(done, input.Chunks.Count)));
}
