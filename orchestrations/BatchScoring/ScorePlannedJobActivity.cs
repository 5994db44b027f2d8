using Microsoft.DurableTask;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>A job the start planned, scored in one activity: its chunks (with their first rows) and when the job started.</summary>
public sealed record PlannedJob(ScoreGroup Group, DateTime StartedUtc);

/// <summary>What <see cref="ScorePlannedJobActivity"/> did: each chunk's result, in chunk order, and the manifest's path.</summary>
public sealed record PlannedJobResult(IReadOnlyList<ChunkResult> Results, string Manifest);

/// <summary>
/// Scores every chunk of a small job the start planned (<see cref="BatchScoringRequest.StartPlan"/>: at most <see cref="MaxChunks"/>
/// chunks and <see cref="MaxInputBytes"/>, seconds of work for one instance), then writes the manifest: the same work as one
/// <see cref="ScoreChunkActivity"/> per chunk and <see cref="WriteManifestActivity"/>, in one activity, so the job pays one
/// round trip through the task hub's queues and history instead of one per chunk and more (each costs up to the hub's
/// queue polling interval). <see cref="BatchScoringRequest.MaxParallelism"/> chunks run at a time, each writing its own part
/// and errors blob; a retry of the whole activity overwrites them and the manifest, so retries never duplicate rows.
/// Progress jumps from no chunk scored to all of them. Larger jobs fan out chunk by chunk, so they can spread over instances.
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

    /// <summary>Most chunks one activity scores; a job with more fans out chunk by chunk. Constants, so every replay takes the same path.</summary>
    public const int MaxChunks = 16;

    /// <summary>Largest input one activity scores (about 3 million rows of ten numeric features).</summary>
    public const long MaxInputBytes = 256L << 20;

    /// <summary>True when the orchestration hands a job to this activity: planned at the start, at most <see cref="MaxChunks"/> chunks and <see cref="MaxInputBytes"/>.</summary>
    public static bool Takes(BatchStartPlan? startPlan) =>
        startPlan is not null && startPlan.Plan.Chunks.Count <= MaxChunks && startPlan.Plan.InputBytes <= MaxInputBytes;

    public override async Task<PlannedJobResult> RunAsync(TaskActivityContext context, PlannedJob input)
    {
        var work = input.Group.Work();
        var results = new ChunkResult[work.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, work.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, input.Group.MaxParallelism) },
            async (i, _) => results[i] = await _score.RunAsync(context, work[i]).ConfigureAwait(false)).ConfigureAwait(false);
        var manifest = await _manifest.RunAsync(context,
            new ManifestInput(input.Group.Request, input.Group.Plan, results, input.StartedUtc, DateTime.UtcNow)).ConfigureAwait(false);
        return new PlannedJobResult(results, manifest);
    }
}
