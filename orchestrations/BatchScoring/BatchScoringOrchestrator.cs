using Microsoft.DurableTask;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Batch scoring as fan-out/fan-in: plan byte-range chunks aligned to line starts (a job comes planned, and counted, by its
/// start where that is cheap, <see cref="BatchScoringRequest.StartPlan"/>, saving two round trips); unless rows carry an id
/// column, count each chunk's rows (so every output row gets its file-wide number without any activity reading
/// the whole file; with ids, error rows are renumbered at fan-in instead and the input is read once); score the chunks
/// with bounded parallelism, each writing its own part (a retried chunk overwrites its own part, so retries
/// never duplicate rows); then write a manifest and, if asked, one merged output. Over
/// <see cref="BatchScoringRequest.ChunksPerOrchestration"/> chunks, counting and scoring go through sub-orchestrations so no history grows
/// past about a thousand events. Progress is the custom status (<see cref="BatchScoringProgress"/>).
/// Deterministic: no I/O, time from the context only.
/// </summary>
[DurableTask(Name)]
public sealed class BatchScoringOrchestrator : TaskOrchestrator<BatchScoringRequest, BatchScoringResult>
{
    public const string Name = "BatchScoring";

    /// <summary>Chunks handled directly by one orchestration by default (each costs a few history events).</summary>
    public const int DefaultGroupSize = 200;

    public override async Task<BatchScoringResult> RunAsync(TaskOrchestrationContext context, BatchScoringRequest request)
    {
        var started = context.CurrentUtcDateTime;
        context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.Planning, 0, 0, 0, 0));
        var startPlan = request.StartPlan;
        request = request with { StartPlan = null };
        var plan = startPlan?.Plan ?? await context.CallActivityAsync<BatchPlan>(PlanBatchActivity.Name, request, BatchScoringRetry.Options);
        var total = plan.Chunks.Count;

        // Work items carry the plan's facts, not its chunk list, so each stays small however many chunks there are.
        var facts = plan with { Chunks = [] };
        var work = new List<ChunkWork>(total);
        if (startPlan is { RowCounts: { } rowCounts })
        {
            var firstRow = 1L;
            for (var i = 0; i < total; i++)
            {
                work.Add(new ChunkWork(request, facts, plan.Chunks[i], firstRow));
                firstRow += rowCounts[i];
            }
        }
        else if (request.IdColumn is null)
        {
            context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.CountingRows, total, 0, 0, 0));
            var counts = await CountAsync(context, request, plan);
            var firstRow = 1L;
            for (var i = 0; i < total; i++)
            {
                work.Add(new ChunkWork(request, facts, plan.Chunks[i], firstRow));
                firstRow += counts[i];
            }
        }
        else
        {
            work.AddRange(plan.Chunks.Select(chunk => new ChunkWork(request, facts, chunk, FirstRow: null)));
        }

        IReadOnlyList<ChunkResult> results;
        string manifest;
        long rowsIn, rowsOut, badRows;
        if (ScorePlannedJobActivity.Takes(startPlan))
        {
            context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.Scoring, total, 0, 0, 0));
            var job = await context.CallActivityAsync<PlannedJobResult>(ScorePlannedJobActivity.Name,
                new PlannedJob(ScoreGroup.Of(work, request.MaxParallelism), started), BatchScoringRetry.Options);
            (results, manifest) = (job.Results, job.Manifest);
            (rowsIn, rowsOut, badRows) = (results.Sum(r => r.RowsIn), results.Sum(r => r.RowsOut), results.Sum(r => r.BadRows));
        }
        else
        {
            results = await ScoreAsync(context, request, work);
            (rowsIn, rowsOut, badRows) = (results.Sum(r => r.RowsIn), results.Sum(r => r.RowsOut), results.Sum(r => r.BadRows));
            context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.WritingManifest, total, total, rowsOut, badRows));
            manifest = await context.CallActivityAsync<string>(WriteManifestActivity.Name,
                new ManifestInput(request, facts, results, started, context.CurrentUtcDateTime), BatchScoringRetry.Options);
        }

        if (badRows > request.MaxBadRows)
        {
            context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.FailedTooManyBadRows, total, total, rowsOut, badRows));
            throw new InvalidOperationException(
                $"Batch scoring failed: {badRows} malformed row(s) exceed the limit of {request.MaxBadRows}. " +
                $"Each is listed with its row number and reason under {BlobPaths.Combine(request.Output, "errors/")}; the manifest is {manifest}.");
        }

        string? merged = null;
        if (request.Merge)
        {
            context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.Merging, total, total, rowsOut, badRows));
            merged = await context.CallActivityAsync<string>(MergeOutputsActivity.Name,
                new MergeInput(request.Output, results.Select(r => r.PartBlob).ToList()), BatchScoringRetry.Options);
        }

        context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.Completed, total, total, rowsOut, badRows));
        return new BatchScoringResult(plan.Model, plan.ModelVersion, total, rowsIn, rowsOut, badRows, manifest, merged, started, context.CurrentUtcDateTime,
            request.ResolvedMembers);
    }

    private static async Task<long[]> CountAsync(TaskOrchestrationContext context, BatchScoringRequest request, BatchPlan plan)
    {
        if (plan.Chunks.Count <= request.ChunksPerOrchestration)
        {
            return await BoundedFanOut.RunAsync(plan.Chunks, Math.Max(request.MaxParallelism, 8),
                chunk => context.CallActivityAsync<long>(CountRowsActivity.Name, new CountWork(request.Input, chunk), BatchScoringRetry.Options));
        }

        var counts = new List<long>(plan.Chunks.Count);
        foreach (var group in plan.Chunks.Chunk(request.ChunksPerOrchestration))
        {
            counts.AddRange(await context.CallSubOrchestratorAsync<long[]>(CountChunkGroupOrchestrator.Name,
                new CountGroup(request.Input, group, Math.Max(request.MaxParallelism, 8))));
        }

        return counts.ToArray();
    }

    private static async Task<List<ChunkResult>> ScoreAsync(TaskOrchestrationContext context, BatchScoringRequest request, List<ChunkWork> work)
    {
        var total = work.Count;
        var results = new List<ChunkResult>(total);
        long rows = 0, bad = 0;
        context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.Scoring, total, 0, 0, 0));
        if (total <= request.ChunksPerOrchestration)
        {
            results.AddRange(await BoundedFanOut.RunAsync(work, request.MaxParallelism,
                chunk => context.CallActivityAsync<ChunkResult>(ScoreChunkActivity.Name, chunk, BatchScoringRetry.Options),
                (done, result) =>
                {
                    rows += result.RowsOut;
                    bad += result.BadRows;
                    context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.Scoring, total, done, rows, bad));
                }));
            return results;
        }

        foreach (var group in work.Chunk(request.ChunksPerOrchestration))
        {
            var groupResults = await context.CallSubOrchestratorAsync<ChunkResult[]>(ScoreChunkGroupOrchestrator.Name,
                ScoreGroup.Of(group, request.MaxParallelism));
            results.AddRange(groupResults);
            rows += groupResults.Sum(r => r.RowsOut);
            bad += groupResults.Sum(r => r.BadRows);
            context.SetCustomStatus(new BatchScoringProgress(BatchScoringStages.Scoring, total, results.Count, rows, bad));
        }

        return results;
    }
}
