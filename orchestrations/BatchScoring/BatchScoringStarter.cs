using Microsoft.DurableTask.Client;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Starts a read batch scoring request after checking what can be known now, so a mistake is a 400 naming the field
/// rather than a job failing seconds later: the model version to score with (<see cref="BatchModelCheck"/>: it exists
/// and has a manifest), the input blob (it exists and fits <see cref="BatchChunking.MaxChunks"/> chunks). The resolved
/// version goes into the orchestration's input, so planning scores with the very version checked here. Thread-safe.
/// </summary>
public sealed class BatchScoringStarter
{
    private readonly InputBlobReader _input;
    private readonly BatchModelCheck _models;

    public BatchScoringStarter(InputBlobReader input, BatchModelCheck models)
    {
        _input = input;
        _models = models;
    }

    /// <summary>Checks and schedules; returns the instance id. Nothing is scheduled when a check fails.</summary>
    public async Task<string> StartAsync(BatchScoringRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var checkedRequest = await CheckAsync(request, cancellationToken).ConfigureAwait(false);
        return await client.ScheduleNewOrchestrationInstanceAsync(BatchScoringOrchestrator.Name, checkedRequest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The request with <see cref="BatchScoringRequest.ResolvedVersion"/> set; BadRequest naming the field for the first mistake.</summary>
    public async Task<BatchScoringRequest> CheckAsync(BatchScoringRequest request, CancellationToken cancellationToken)
    {
        var version = await _models.ResolveAsync(request.Model, request.Version, request.Alias, cancellationToken).ConfigureAwait(false);
        var format = BatchFormats.Resolve(request.Format, request.Input);
        await PlanBatchActivity.LayoutAsync(_input, request, format, cancellationToken).ConfigureAwait(false);
        return request with { Format = format, ResolvedVersion = version.Version };
    }
}
