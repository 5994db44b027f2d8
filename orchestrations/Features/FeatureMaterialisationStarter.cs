using Microsoft.DurableTask.Client;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Registry;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Starts materialisation after checking what can be known now: the set version is declared (NotFound otherwise), the date range is
/// ordered and the knobs are in range (BadRequest naming the field). Thread-safe.
/// </summary>
public sealed class FeatureMaterialisationStarter
{
    private readonly FeatureSetCatalog _catalog;

    public FeatureMaterialisationStarter(FeatureSetCatalog catalog)
    {
        _catalog = catalog;
    }

    /// <summary>Checks and schedules; returns the instance id. Nothing is scheduled when a check fails.</summary>
    public async Task<string> StartAsync(MaterialisationRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        await CheckAsync(request, cancellationToken).ConfigureAwait(false);
        return await client.ScheduleNewOrchestrationInstanceAsync(FeatureMaterialisationOrchestrator.Name, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>BadRequest naming the field for the first mistake; NotFound when the set version is not declared.</summary>
    public async Task CheckAsync(MaterialisationRequest request, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(request.Name, "name");
        ModelIdentifiers.ValidateVersion(request.Version, "version");
        if (request.From is { } from && request.To is { } to && from > to)
        {
            throw ServingException.BadRequest($"'from' ({from:yyyy-MM-dd}) is after 'to' ({to:yyyy-MM-dd}).");
        }

        if (request.BlobsPerChunk is < 1 or > MaterialisationRequest.MaxBlobsPerChunk)
        {
            throw ServingException.BadRequest($"'blobs_per_chunk' must be between 1 and {MaterialisationRequest.MaxBlobsPerChunk} (was {request.BlobsPerChunk}).");
        }

        if (request.MaxParallelism is < 1 or > MaterialisationRequest.MaxMaxParallelism)
        {
            throw ServingException.BadRequest($"'max_parallelism' must be between 1 and {MaterialisationRequest.MaxMaxParallelism} (was {request.MaxParallelism}).");
        }

        await _catalog.GetAsync(request.Name, request.Version, cancellationToken).ConfigureAwait(false);
    }
}
