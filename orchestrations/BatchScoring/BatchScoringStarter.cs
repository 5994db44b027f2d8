using Microsoft.DurableTask.Client;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Starts a read batch scoring request after checking what can be known now, so a mistake is a 400 naming the field
/// rather than a job failing seconds later: the model version to score with (<see cref="BatchModelCheck"/>: it exists
/// and has a manifest; an inference graph can be served as records), the input blob (it exists and fits <see cref="BatchChunking.MaxChunks"/>
/// chunks). The resolved version, and a graph's member versions as they resolve now, go into the orchestration's input, so every
/// chunk scores with the very versions checked here; so does the plan the start makes where that is cheap (<see cref="BatchStartPlanner"/>). Thread-safe.
/// </summary>
public sealed class BatchScoringStarter
{
    private readonly InputBlobReader _input;
    private readonly BatchModelCheck _models;
    private readonly GraphRecordService _graphs;

    public BatchScoringStarter(InputBlobReader input, BatchModelCheck models, GraphRecordService graphs)
    {
        _input = input;
        _models = models;
        _graphs = graphs;
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
        IReadOnlyDictionary<string, string>? members = null;
        if (version.IsGraph)
        {
            try
            {
                members = await _graphs.PinMembersAsync(version, cancellationToken).ConfigureAwait(false);
            }
            catch (ServingException e) when (e.Kind is ServingErrorKind.BadRequest or ServingErrorKind.Conflict)
            {
                throw ServingException.BadRequest($"'model': {e.Message}");
            }
        }

        var format = BatchFormats.Resolve(request.Format, request.Input);
        var (size, layout) = await PlanBatchActivity.LayoutAsync(_input, request, format, cancellationToken).ConfigureAwait(false);
        var checkedRequest = request with { Format = format, ResolvedVersion = version.Version, ResolvedMembers = members };
        return BatchStartPlanner.Plans(checkedRequest, size, layout)
            ? checkedRequest with { StartPlan = await BatchStartPlanner.PlanAsync(_input, checkedRequest, version.Version, format, size, layout, cancellationToken).ConfigureAwait(false) }
            : checkedRequest;
    }
}
