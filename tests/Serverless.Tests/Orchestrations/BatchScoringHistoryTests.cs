using Serverless.Core.Storage;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Tests.Support;
using Xunit.Abstractions;

namespace Serverless.Tests.Orchestrations;

/// <summary>
/// How batch scoring's orchestration history grows with the number of chunks: the bytes of every history event of the
/// orchestration and its sub-orchestrations, recorded by <see cref="RecordingOrchestrationContext"/> with fake
/// activities. (The in-process Durable test host neither returns histories nor runs a thousand chunks in test time.)
/// Each chunk's work item carries its own chunk, never the plan's chunk list, so the history grows linearly.
/// </summary>
public sealed class BatchScoringHistoryTests
{
    private const int RowsPerChunk = 10;

    private readonly ITestOutputHelper _output;

    public BatchScoringHistoryTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Run_10To1000Chunks_HistoryBytesGrowLinearlyWithChunks()
    {
        var runs = new Dictionary<int, RecordedHistory>();
        foreach (var chunks in new[] { 10, 100, 1_000 })
        {
            var history = runs[chunks] = await RunAsync(chunks);
            _output.WriteLine(
                $"{chunks,5} chunks: {history.TotalBytes,10:N0} bytes in {history.TotalEvents,6:N0} events over {history.Instances.Count,2} instance(s), " +
                $"{history.TotalBytes / (double)chunks,6:N0} bytes per chunk; largest instance {history.LargestInstanceBytes:N0} bytes " +
                $"({history.LargestInstanceEvents:N0} events), largest event {history.LargestEvent:N0} bytes, largest custom status {history.LargestCustomStatus} bytes");
        }

        var perChunkAt100 = runs[100].TotalBytes / 100.0;
        var perChunkAt1000 = runs[1_000].TotalBytes / 1_000.0;
        Assert.True(perChunkAt1000 <= perChunkAt100 * 1.5,
            $"History per chunk grew from {perChunkAt100:N0} bytes at 100 chunks to {perChunkAt1000:N0} at 1,000: it is not linear in the chunks.");
        Assert.True(runs[1_000].LargestInstanceEvents <= runs[100].LargestInstanceEvents * 1.5,
            "An orchestration's own event count grew with the chunks: sub-orchestrations should bound it.");
        Assert.Equal(runs[10].LargestCustomStatus, runs[1_000].LargestCustomStatus, tolerance: 8);
    }

    [Fact]
    public async Task Run_ManyChunks_NoActivityOrSubOrchestrationInputGrowsWithThePlan()
    {
        var small = await RunAsync(chunks: 10, group: 5);
        var large = await RunAsync(chunks: 1_000, group: 5);

        // Per-chunk work items and group inputs stay the same size; only the plan, the manifest and the merge carry every chunk once.
        Assert.Equal(LargestScheduled(small, ScoreChunkActivity.Name), LargestScheduled(large, ScoreChunkActivity.Name), tolerance: 16);
        Assert.Equal(LargestScheduled(small, CountRowsActivity.Name), LargestScheduled(large, CountRowsActivity.Name), tolerance: 16);
        Assert.Equal(LargestChildInput(small), LargestChildInput(large), tolerance: 64);
    }

    private static int LargestScheduled(RecordedHistory history, string activity) =>
        history.Instances.Values.SelectMany(e => e).OfType<DurableTask.Core.History.TaskScheduledEvent>()
            .Where(e => e.Name == activity).Max(e => e.Input?.Length ?? 0);

    private static int LargestChildInput(RecordedHistory history) =>
        history.Instances.Values.SelectMany(e => e).OfType<DurableTask.Core.History.SubOrchestrationInstanceCreatedEvent>().Max(e => e.Input?.Length ?? 0);

    private static async Task<RecordedHistory> RunAsync(int chunks, int group = BatchScoringOrchestrator.DefaultGroupSize)
    {
        var history = new RecordedHistory()
            .AddOrchestrator(ScoreChunkGroupOrchestrator.Name, new ScoreChunkGroupOrchestrator())
            .AddOrchestrator(CountChunkGroupOrchestrator.Name, new CountChunkGroupOrchestrator())
            .AddActivity<BatchScoringRequest, BatchPlan>(PlanBatchActivity.Name, request =>
                new BatchPlan(request.Model, "3", BatchFormats.Csv, "customer_id,tenure,plan,monthly_charges,total_charges", chunks * 1_000_000L,
                    Enumerable.Range(0, chunks).Select(i => new ChunkRange(i, i * 1_000_000L, (i + 1) * 1_000_000L)).ToList()))
            .AddActivity<CountWork, long>(CountRowsActivity.Name, _ => RowsPerChunk)
            .AddActivity<ChunkWork, ChunkResult>(ScoreChunkActivity.Name, work =>
                new ChunkResult(work.Chunk.Index, RowsPerChunk, RowsPerChunk, 0, 12.5, work.PartBlob, work.ErrorsBlob))
            .AddActivity<ManifestInput, string>(WriteManifestActivity.Name, input => BlobPaths.Combine(input.Request.Output, "manifest.json"))
            .AddActivity<MergeInput, string>(MergeOutputsActivity.Name, input => BlobPaths.Combine(input.Output, "predictions.csv"));
        var request = new BatchScoringRequest
        {
            Input = "data/customers-2026-01.csv",
            Model = "churn",
            Output = "scores/customers-2026-01",
            ChunkRows = RowsPerChunk,
            MaxParallelism = 8,
            ChunksPerOrchestration = group,
            Merge = true,
        };

        var (recorded, result) = await RecordingOrchestrationContext.RunAsync(new BatchScoringOrchestrator(), request, history);
        Assert.Equal(chunks * (long)RowsPerChunk, result.RowsOut);
        return recorded;
    }
}
