using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Storage;
using Serverless.Functions.Http;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// Reads and validates the JSON body that starts batch scoring (snake_case fields): the input and output only in the
/// data containers, and an input that does not lie under the output, which the job writes (<see cref="BatchScoringPaths"/>).
/// </summary>
internal static class BatchScoringRequestReader
{
    public static BatchScoringRequest Read(ReadOnlyMemory<byte> body, DataContainers containers)
    {
        var parsed = ApiJson.Read<StartBatchScoringRequest>(body.Span);
        if (parsed is null)
        {
            throw ServingException.BadRequest("The body must be a JSON object.");
        }

        Require(parsed.Input, "input", "the input blob as container/path");
        Require(parsed.Model, "model", "the model name");
        Require(parsed.Output, "output", "the output prefix as container/prefix");
        ModelIdentifiers.ValidateName(parsed.Model, "model");
        if (parsed.Version is not null)
        {
            ModelIdentifiers.ValidateVersion(parsed.Version, "version");
        }

        if (parsed.Alias is not null)
        {
            ModelIdentifiers.ValidateAlias(parsed.Alias, "alias");
        }

        var (input, output) = BatchScoringPaths.Parse(parsed.Input, parsed.Output, containers);

        var format = BatchFormats.Resolve(parsed.Format, parsed.Input!);
        var chunkRows = parsed.ChunkRows ?? 10_000;
        var parallelism = parsed.MaxParallelism ?? 4;
        var maxBadRows = parsed.MaxBadRows ?? 1_000;
        if (chunkRows is < BatchChunking.MinChunkRows or > BatchChunking.MaxChunkRows)
        {
            throw ServingException.BadRequest($"'chunk_rows' must be between {BatchChunking.MinChunkRows} and {BatchChunking.MaxChunkRows} (was {chunkRows}).");
        }

        if (parallelism is < 1 or > 64)
        {
            throw ServingException.BadRequest($"'max_parallelism' must be between 1 and 64 (was {parallelism}).");
        }

        var chunksPerOrchestration = parsed.ChunksPerOrchestration ?? BatchScoringOrchestrator.DefaultGroupSize;
        if (chunksPerOrchestration is < 10 or > 500)
        {
            throw ServingException.BadRequest($"'chunks_per_orchestration' must be between 10 and 500 (was {chunksPerOrchestration}).");
        }

        if (maxBadRows < 0)
        {
            throw ServingException.BadRequest($"'max_bad_rows' must not be negative (was {maxBadRows}).");
        }

        return new BatchScoringRequest
        {
            Input = input.ToString(),
            Model = parsed.Model!,
            Version = parsed.Version,
            Alias = parsed.Alias,
            Output = output.ToString(),
            Format = format,
            IdColumn = parsed.IdColumn,
            ChunkRows = chunkRows,
            MaxParallelism = parallelism,
            MaxBadRows = maxBadRows,
            Merge = parsed.Merge ?? false,
            ChunksPerOrchestration = chunksPerOrchestration,
        };
    }

    private static void Require(string? value, string field, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw ServingException.BadRequest($"'{field}' is required: {what}.");
        }
    }

}
