using Microsoft.DurableTask;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Materialisation as fan-out/fan-in, from the history or from a file. History: plan chunks of history blobs
/// (<see cref="PlanMaterialisationActivity"/>), then merge each chunk's rows into the online store (<see cref="MaterialiseChunkActivity"/>).
/// File (<see cref="MaterialisationRequest.Source"/>): cut the file into byte ranges at line starts (<see cref="PlanFileMaterialisationActivity"/>),
/// then write each range's rows to the history and the online store (<see cref="MaterialiseFileChunkActivity"/>); a range with a bad row
/// writes nothing and, once every range has run, fails the orchestration naming it (the other ranges are written; running it again
/// after fixing the file is safe). At most <see cref="MaterialisationRequest.MaxParallelism"/> activities in flight (<see cref="BoundedFanOut"/>).
/// Chunks may run in any order and any number of times: the online store keeps, per feature, the value with the latest event time
/// (<see cref="Core.Features.FeatureRecord.Merge"/>), so the result is the same. Progress is the custom status (<see cref="MaterialisationProgress"/>).
/// Deterministic: no I/O, time from the context only.
/// </summary>
[DurableTask(Name)]
public sealed class FeatureMaterialisationOrchestrator : TaskOrchestrator<MaterialisationRequest, MaterialisationResult>
{
    public const string Name = "FeatureMaterialisation";

    /// <summary>Refused chunks a failure names (the count says how many more).</summary>
    private const int NamedRefusals = 3;

    public override async Task<MaterialisationResult> RunAsync(TaskOrchestrationContext context, MaterialisationRequest request)
    {
        var started = context.CurrentUtcDateTime;
        context.SetCustomStatus(new MaterialisationProgress(MaterialisationStages.Planning, 0, 0, 0, 0, 0, 0));
        if (request.Source is not null)
        {
            var file = await context.CallActivityAsync<FileMaterialisationPlan>(PlanFileMaterialisationActivity.Name, request, MaterialisationRetry.Options);
            var loaded = await FanOutAsync(context, request, file.Chunks, MaterialiseFileChunkActivity.Name, blobs: 0);
            var refused = loaded.Where(r => r.Refused is not null).OrderBy(r => r.Index).ToList();
            if (refused.Count > 0)
            {
                var more = refused.Count > NamedRefusals ? $"; and {refused.Count - NamedRefusals} more" : "";
                throw new InvalidOperationException(
                    $"{refused.Count} of {file.Chunks.Count} chunk(s) of '{request.Source}' had rows that were refused, so none of their rows were written " +
                    $"(the other chunks were): {string.Join("; ", refused.Take(NamedRefusals).Select(r => r.Refused))}{more}");
            }

            return Result(context, request, started, loaded, blobs: 0) with { Source = request.Source, Bytes = file.Bytes };
        }

        var plan = await context.CallActivityAsync<MaterialisationPlan>(PlanMaterialisationActivity.Name, request, MaterialisationRetry.Options);
        var results = await FanOutAsync(context, request, plan.Chunks, MaterialiseChunkActivity.Name, plan.Blobs);
        return Result(context, request, started, results, results.Sum(r => r.Blobs));
    }

    private static async Task<MaterialisationChunkResult[]> FanOutAsync<TChunk>(TaskOrchestrationContext context, MaterialisationRequest request,
        IReadOnlyList<TChunk> chunks, string activity, int blobs)
    {
        var total = chunks.Count;
        long rows = 0, updated = 0, kept = 0;
        context.SetCustomStatus(new MaterialisationProgress(MaterialisationStages.Materialising, total, 0, blobs, 0, 0, 0));
        var results = await BoundedFanOut.RunAsync(chunks, request.MaxParallelism,
            chunk => context.CallActivityAsync<MaterialisationChunkResult>(activity, chunk, MaterialisationRetry.Options),
            (done, result) =>
            {
                rows += result.Rows;
                updated += result.ValuesUpdated;
                kept += result.ValuesKept;
                context.SetCustomStatus(new MaterialisationProgress(MaterialisationStages.Materialising, total, done, blobs, rows, updated, kept));
            });
        var stage = results.Any(r => r.Refused is not null) ? MaterialisationStages.Refused : MaterialisationStages.Completed;
        context.SetCustomStatus(new MaterialisationProgress(stage, total, total, blobs, rows, updated, kept));
        return results;
    }

    private static MaterialisationResult Result(TaskOrchestrationContext context, MaterialisationRequest request, DateTime started,
        MaterialisationChunkResult[] results, int blobs) =>
        new(request.Name, request.Version, request.From, request.To, results.Length, blobs, results.Sum(r => r.Rows),
            results.Sum(r => r.EntitiesWritten), results.Sum(r => r.ValuesUpdated), results.Sum(r => r.ValuesKept), started, context.CurrentUtcDateTime);
}
