using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Orchestrations.BatchScoring;

using Serverless.Tests.Support;
using Serverless.Core.Storage;

namespace Serverless.Tests.Orchestrations;

/// <summary>
/// The batch scoring orchestration on the in-process Durable test host, with activities replaced by fakes
/// that record what was written; the real activities are exercised end to end through the local runner.
/// </summary>
public sealed class BatchScoringOrchestratorTests
{
    private const int RowsPerChunk = 10;

    private readonly ConcurrentDictionary<int, ChunkWork> _parts = new();
    private readonly ConcurrentDictionary<int, int> _attempts = new();
    private ManifestInput? _manifest;
    private PlannedJob? _planned;
    private int _counts;

    [Fact]
    public async Task Run_ChunkFailsOnceThenSucceeds_EveryRowScoredExactlyOnce()
    {
        await using var host = await StartHostAsync(chunks: 12, failOnce: [3, 7]);

        var metadata = await RunAsync(host, Request());

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        var result = metadata.ReadOutputAs<BatchScoringResult>()!;
        Assert.Equal(12 * RowsPerChunk, result.RowsIn);
        Assert.Equal(result.RowsIn, result.RowsOut + result.BadRows);
        Assert.Equal(2, _attempts[3]);
        Assert.Equal(2, _attempts[7]);
        AssertContiguousRows(12);
        Assert.Equal(12, _manifest!.Results.Count);
    }

    [Fact]
    public async Task Run_ManyChunks_EachWorkItemCarriesItsChunkNotThePlansChunkList()
    {
        await using var host = await StartHostAsync(chunks: 30, failOnce: []);

        var metadata = await RunAsync(host, Request() with { IdColumn = "customer_id" });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(30, _parts.Count);
        Assert.All(_parts.Values, work => Assert.Empty(work.Plan.Chunks));
        Assert.All(_parts.Values, work => Assert.Equal(("3", "a,b"), (work.Plan.ModelVersion, work.Plan.Header)));
        Assert.Empty(_manifest!.Plan.Chunks);
    }

    [Fact]
    public async Task Run_MoreChunksThanOneOrchestrationHolds_FansOutThroughSubOrchestrations()
    {
        const int groupSize = 5;
        var chunks = groupSize * 3 + 2;
        await using var host = await StartHostAsync(chunks, failOnce: [groupSize + 1]);

        var metadata = await RunAsync(host, Request() with { MaxParallelism = 3, ChunksPerOrchestration = groupSize });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(chunks * (long)RowsPerChunk, metadata.ReadOutputAs<BatchScoringResult>()!.RowsOut);
        AssertContiguousRows(chunks);
    }

    [Fact]
    public async Task Run_TooManyBadRows_FailsNamingTheLimitAfterWritingTheManifest()
    {
        await using var host = await StartHostAsync(chunks: 4, failOnce: [], badRowsPerChunk: 3);

        var metadata = await RunAsync(host, Request() with { MaxBadRows = 5 });

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Contains("12 malformed row(s) exceed the limit of 5", metadata.FailureDetails!.ErrorMessage);
        Assert.NotNull(_manifest);
    }

    [Fact]
    public async Task Run_Completed_ReportsProgressAndMergesWhenAsked()
    {
        await using var host = await StartHostAsync(chunks: 3, failOnce: []);

        var metadata = await RunAsync(host, Request() with { Merge = true });

        var progress = JsonSerializer.Deserialize<BatchScoringProgress>(metadata.SerializedCustomStatus!)!;
        Assert.Equal("completed", progress.Stage);
        Assert.Equal(3, progress.ChunksDone);
        Assert.Equal(3 * RowsPerChunk, progress.RowsScored);
        Assert.Equal("scores/run/predictions.csv", metadata.ReadOutputAs<BatchScoringResult>()!.Merged);
    }

    [Fact]
    public async Task Run_RowsCarryIds_ScoresWithoutCountingAndHandsStagedErrorsToTheFanIn()
    {
        await using var host = await StartHostAsync(chunks: 5, failOnce: [2], badRowsPerChunk: 1);

        var metadata = await RunAsync(host, Request() with { IdColumn = "customer_id" });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(0, _counts);
        Assert.All(_parts.Values, work => Assert.Null(work.FirstRow));
        Assert.Equal(5 * RowsPerChunk, metadata.ReadOutputAs<BatchScoringResult>()!.RowsIn);
        Assert.All(_manifest!.Results, r => Assert.True(r.ErrorsStaged && r.StagedErrorsBlob is not null));
    }

    [Fact]
    public async Task Run_PlannedAtStartWithNoMoreChunksThanRunAtOnce_ScoresAndWritesTheManifestInOneActivity()
    {
        await using var host = await StartHostAsync(chunks: 3, failOnce: []);

        var metadata = await RunAsync(host, Request() with { StartPlan = StartPlan(chunks: 3), Merge = true });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal<long>([1, 11, 21], _planned!.Group.FirstRows!);
        Assert.Equal(3, _planned.Group.Work().Count);
        Assert.Null(_planned.Group.Request.StartPlan);
        Assert.Empty(_planned.Group.Plan.Chunks);
        Assert.Empty(_parts);
        Assert.Null(_manifest);
        var result = metadata.ReadOutputAs<BatchScoringResult>()!;
        Assert.Equal((3 * RowsPerChunk, "scores/run/manifest.json", "scores/run/predictions.csv"), (result.RowsOut, result.Manifest, result.Merged));
        Assert.Equal("completed", JsonSerializer.Deserialize<BatchScoringProgress>(metadata.SerializedCustomStatus!)!.Stage);
    }

    [Fact]
    public async Task Run_PlannedAtStartWithMoreChunksThanRunAtOnce_ScoresThemInOneActivityAtMaxParallelism()
    {
        await using var host = await StartHostAsync(chunks: 6, failOnce: []);

        var metadata = await RunAsync(host, Request() with { StartPlan = StartPlan(chunks: 6) });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal((6, 4), (_planned!.Group.Work().Count, _planned.Group.MaxParallelism));
        Assert.Empty(_parts);
        Assert.Equal(6 * RowsPerChunk, metadata.ReadOutputAs<BatchScoringResult>()!.RowsOut);
    }

    [Fact]
    public async Task Run_PlannedAtStartOverTheBytesOneActivityScores_FansOutChunkByChunk()
    {
        await using var host = await StartHostAsync(chunks: 3, failOnce: []);

        var metadata = await RunAsync(host, Request() with { StartPlan = StartPlan(chunks: 3, ScorePlannedJobActivity.MaxInputBytes + 1) });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Null(_planned);
        AssertContiguousRows(3);
        Assert.Equal(3, _manifest!.Results.Count);
    }

    [Fact]
    public async Task Run_RowsCarryIdsPlannedAtStartWithoutCounts_ScoresInOneActivityWithRowsNumberedAtTheFanIn()
    {
        await using var host = await StartHostAsync(chunks: 5, failOnce: []);

        var metadata = await RunAsync(host, Request() with { IdColumn = "customer_id", StartPlan = StartPlan(chunks: 5) with { RowCounts = null } });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(0, _counts);
        Assert.Null(_planned!.Group.FirstRows);
        Assert.All(_planned.Group.Work(), work => Assert.Null(work.FirstRow));
    }

    [Fact]
    public async Task Run_PlannedAtStartWithMoreChunksThanOneActivityScores_FansOutChunkByChunk()
    {
        var chunks = ScorePlannedJobActivity.MaxChunks + 1;
        await using var host = await StartHostAsync(chunks, failOnce: []);

        var metadata = await RunAsync(host, Request() with { StartPlan = StartPlan(chunks), MaxParallelism = 64 });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Null(_planned);
        AssertContiguousRows(chunks);
    }

    [Fact]
    public async Task Run_PlannedJobWithTooManyBadRows_FailsNamingTheLimitAndTheManifest()
    {
        await using var host = await StartHostAsync(chunks: 2, failOnce: [], badRowsPerChunk: 4);

        var metadata = await RunAsync(host, Request() with { StartPlan = StartPlan(chunks: 2), MaxBadRows = 5 });

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Contains("8 malformed row(s) exceed the limit of 5", metadata.FailureDetails!.ErrorMessage);
        Assert.Contains("the manifest is scores/run/manifest.json", metadata.FailureDetails.ErrorMessage);
    }

    private static BatchStartPlan StartPlan(int chunks, long? inputBytes = null) =>
        new(new BatchPlan("churn", "3", BatchFormats.Csv, "a,b", inputBytes ?? chunks * 100L,
                Enumerable.Range(0, chunks).Select(i => new ChunkRange(i, i * 100L, (i + 1) * 100L)).ToList()),
            Enumerable.Repeat((long)RowsPerChunk, chunks).ToList());

    private static BatchScoringRequest Request() => new()
    {
        Input = "data/data.csv",
        Model = "churn",
        Output = "scores/run",
        ChunkRows = RowsPerChunk,
        MaxParallelism = 4,
    };

    private static async Task<OrchestrationMetadata> RunAsync(DurableTaskTestHost host, BatchScoringRequest request)
    {
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(BatchScoringOrchestrator.Name, request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
    }

    private void AssertContiguousRows(int chunks)
    {
        Assert.Equal(chunks, _parts.Count);
        var expectedFirst = 1L;
        foreach (var part in _parts.OrderBy(p => p.Key))
        {
            Assert.Equal(expectedFirst, part.Value.FirstRow);
            expectedFirst += RowsPerChunk;
        }
    }

    private Task<DurableTaskTestHost> StartHostAsync(int chunks, int[] failOnce, int badRowsPerChunk = 0) =>
        DurableTestHosts.StartAsync(registry =>
        {
            registry.AddOrchestrator<BatchScoringOrchestrator>();
            registry.AddOrchestrator<ScoreChunkGroupOrchestrator>();
            registry.AddOrchestrator<CountChunkGroupOrchestrator>();
            registry.AddActivityFunc<BatchScoringRequest, BatchPlan>(PlanBatchActivity.Name, (_, request) =>
                new BatchPlan(request.Model, "3", BatchFormats.Csv, "a,b", chunks * 100L,
                    Enumerable.Range(0, chunks).Select(i => new ChunkRange(i, i * 100L, (i + 1) * 100L)).ToList()));
            registry.AddActivityFunc<CountWork, long>(CountRowsActivity.Name, (_, _) =>
            {
                Interlocked.Increment(ref _counts);
                return RowsPerChunk;
            });
            registry.AddActivityFunc<ChunkWork, ChunkResult>(ScoreChunkActivity.Name, (_, work) =>
            {
                var attempt = _attempts.AddOrUpdate(work.Chunk.Index, 1, (_, n) => n + 1);
                _parts[work.Chunk.Index] = work;
                if (attempt == 1 && failOnce.Contains(work.Chunk.Index))
                {
                    throw new IOException($"transient failure scoring chunk {work.Chunk.Index}");
                }

                var staged = work.FirstRow is null;
                return new ChunkResult(work.Chunk.Index, RowsPerChunk, RowsPerChunk - badRowsPerChunk, badRowsPerChunk, 1, work.PartBlob, work.ErrorsBlob,
                    staged, staged ? work.StagedErrorsBlob : null);
            });
            registry.AddActivityFunc<ManifestInput, string>(WriteManifestActivity.Name, (_, input) =>
            {
                _manifest = input;
                return BlobPaths.Combine(input.Request.Output, "manifest.json");
            });
            registry.AddActivityFunc<PlannedJob, PlannedJobResult>(ScorePlannedJobActivity.Name, (_, job) =>
            {
                _planned = job;
                var results = job.Group.Work().Select(work => new ChunkResult(work.Chunk.Index, RowsPerChunk, RowsPerChunk - badRowsPerChunk, badRowsPerChunk, 1,
                    work.PartBlob, work.ErrorsBlob)).ToList();
                return new PlannedJobResult(results, BlobPaths.Combine(job.Group.Request.Output, "manifest.json"));
            });
            registry.AddActivityFunc<MergeInput, string>(MergeOutputsActivity.Name, (_, input) => BlobPaths.Combine(input.Output, "predictions.csv"));
        });
}
