using Microsoft.DurableTask;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Materialisation as fan-out/fan-in: plan chunks of history blobs (<see cref="PlanMaterialisationActivity"/>), then merge each chunk's
/// rows into the online store (<see cref="MaterialiseChunkActivity"/>) with at most <see cref="MaterialisationRequest.MaxParallelism"/>
/// in flight (<see cref="BoundedFanOut"/>). Chunks may run in any order and any number of times: the online store keeps, per feature,
/// the value with the latest event time (<see cref="Core.Features.FeatureRecord.Merge"/>), so the result is the same. Progress is the
/// custom status (<see cref="MaterialisationProgress"/>). Deterministic: no I/O, time from the context only.
/// </summary>
[DurableTask(Name)]
public sealed class FeatureMaterialisationOrchestrator : TaskOrchestrator<MaterialisationRequest, MaterialisationResult>
{
    public const string Name = "FeatureMaterialisation";

    public override async Task<MaterialisationResult> RunAsync(TaskOrchestrationContext context, MaterialisationRequest request)
    {
        var started = context.CurrentUtcDateTime;
        context.SetCustomStatus(new MaterialisationProgress(MaterialisationStages.Planning, 0, 0, 0, 0, 0, 0));
        var plan = await context.CallActivityAsync<MaterialisationPlan>(PlanMaterialisationActivity.Name, request, MaterialisationRetry.Options);
        var total = plan.Chunks.Count;
        long rows = 0, updated = 0, kept = 0;
        context.SetCustomStatus(new MaterialisationProgress(MaterialisationStages.Materialising, total, 0, plan.Blobs, 0, 0, 0));
        var results = await BoundedFanOut.RunAsync(plan.Chunks, request.MaxParallelism,
            chunk => context.CallActivityAsync<MaterialisationChunkResult>(MaterialiseChunkActivity.Name, chunk, MaterialisationRetry.Options),
            (done, result) =>
            {
                rows += result.Rows;
                updated += result.ValuesUpdated;
                kept += result.ValuesKept;
                context.SetCustomStatus(new MaterialisationProgress(MaterialisationStages.Materialising, total, done, plan.Blobs, rows, updated, kept));
            });

        context.SetCustomStatus(new MaterialisationProgress(MaterialisationStages.Completed, total, total, plan.Blobs, rows, updated, kept));
        return new MaterialisationResult(request.Name, request.Version, request.From, request.To, total, results.Sum(r => r.Blobs), rows,
            results.Sum(r => r.EntitiesWritten), updated, kept, started, context.CurrentUtcDateTime);
    }
}
