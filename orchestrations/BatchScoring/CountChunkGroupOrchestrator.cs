using Microsoft.DurableTask;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>Counts the data rows of one group of chunks (a sub-orchestration of <see cref="BatchScoringOrchestrator"/>).</summary>
[DurableTask(Name)]
public sealed class CountChunkGroupOrchestrator : TaskOrchestrator<CountGroup, long[]>
{
    public const string Name = "BatchScoringCountGroup";

    public override Task<long[]> RunAsync(TaskOrchestrationContext context, CountGroup input) =>
        BoundedFanOut.RunAsync(input.Chunks, input.MaxParallelism,
            chunk => context.CallActivityAsync<long>(CountRowsActivity.Name, new CountWork(input.Input, chunk), BatchScoringRetry.Options));
}
