using Microsoft.DurableTask.Client;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Registry;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Starts materialisation after checking what can be known now: the set version is declared (NotFound otherwise), the date range is
/// ordered, the knobs are in range and a file to load is one the app may read with a header that fits the set
/// (<see cref="MaterialisationSource"/>; BadRequest naming the field). Thread-safe.
/// </summary>
public sealed class FeatureMaterialisationStarter
{
    private readonly FeatureSetCatalog _catalog;
    private readonly InputBlobReader _input;

    public FeatureMaterialisationStarter(FeatureSetCatalog catalog, InputBlobReader input)
    {
        _catalog = catalog;
        _input = input;
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

        if (request.Source is null)
        {
            if (request.Format is not null)
            {
                throw ServingException.BadRequest("'format' applies to a 'source' file; give 'source' too, or leave 'format' out to replay the history.");
            }

            await _catalog.GetAsync(request.Name, request.Version, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (request.From is not null || request.To is not null)
        {
            throw ServingException.BadRequest("'from' and 'to' choose event dates of the history; a 'source' file is loaded whole. Give one or the other.");
        }

        if (request.ChunkRows is < MaterialisationRequest.MinChunkRows or > MaterialisationRequest.MaxChunkRows)
        {
            throw ServingException.BadRequest(
                $"'chunk_rows' must be between {MaterialisationRequest.MinChunkRows} and {MaterialisationRequest.MaxChunkRows} (was {request.ChunkRows}).");
        }

        var set = await _catalog.GetAsync(request.Name, request.Version, cancellationToken).ConfigureAwait(false);
        await MaterialisationSource.LayoutAsync(_input, request, set, cancellationToken).ConfigureAwait(false);
    }
}
