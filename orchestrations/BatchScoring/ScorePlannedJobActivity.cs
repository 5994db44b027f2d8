using Microsoft.DurableTask;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>A job the start planned, scored in one activity: its chunks (with their first rows) and when the job started.</summary>
public sealed record PlannedJob(ScoreGroup Group, DateTime StartedUtc);

/// <summary>What <see cref="ScorePlannedJobActivity"/> did: each chunk's result, in chunk order, and the manifest's path.</summary>
public sealed record PlannedJobResult(IReadOnlyList<ChunkResult> Results, string Manifest);

/// <summary>
/// Scores every chunk of a job the start planned (<see cref="BatchScoringRequest.StartPlan"/>) whose chunks all run at once anyway
/// (no more chunks than <see cref="BatchScoringRequest.MaxParallelism"/>, and at most <see cref="MaxChunks"/>), then writes the manifest: the same work as one
/// <see cref="ScoreChunkActivity"/> per chunk and <see cref="WriteManifestActivity"/>, in one activity, so the job pays one
/// round trip through the task hub's queues and history instead of three. Chunks run concurrently, each writing its own part
/// and errors blob; a retry of the whole activity overwrites them and the manifest, so retries never duplicate rows.
/// Progress jumps from no chunk scored to all of them.
/// </summary>
[DurableTask(Name)]
public sealed class ScorePlannedJobActivity : TaskActivity<PlannedJob, PlannedJobResult>
{
    public const string Name = "BatchScoringScorePlanned";

    private readonly ScoreChunkActivity _score;
    private readonly WriteManifestActivity _manifest;

    public ScorePlannedJobActivity(ScoreChunkActivity score, WriteManifestActivity manifest)
    {
        _score = score;
        _manifest = manifest;
    }

    /// <summary>
    /// Most chunks one activity scores at once (each holds a read and an upload buffer); a job with more fans out chunk by chunk,
    /// so the host's activity concurrency bounds it. A constant, so every replay takes the same path.
    /// </summary>
    public const int MaxChunks = 8;

    /// <summary>True when the orchestration hands a job to this activity: planned at the start, every chunk running at once, at most <see cref="MaxChunks"/>.</summary>
    public static bool Takes(BatchScoringRequest request, BatchStartPlan? startPlan) =>
        startPlan is not null && startPlan.Plan.Chunks.Count <= Math.Min(request.MaxParallelism, MaxChunks);

    public override async Task<PlannedJobResult> RunAsync(TaskActivityContext context, PlannedJob input)
    {
        var work = input.Group.Work();
        var results = await Task.WhenAll(work.Select(chunk => Task.Run(() => _score.RunAsync(context, chunk)))).ConfigureAwait(false);
        var manifest = await _manifest.RunAsync(context,
            new ManifestInput(input.Group.Request, input.Group.Plan, results, input.StartedUtc, DateTime.UtcNow)).ConfigureAwait(false);
        return new PlannedJobResult(results, manifest);
    }
}
