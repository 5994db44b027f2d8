using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;
using Serverless.Functions.Orchestrations;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Features;

namespace Serverless.Functions.Features;

/// <summary>
/// Materialisation over HTTP (start it; watch it on the orchestration status route) and its orchestrator and activities as Durable
/// functions: thin wrappers over the classes in orchestrations/Features.
/// </summary>
public sealed class FeatureMaterialisationFunctions
{
    private const int MaxStartBodyBytes = 4 * 1024;

    private readonly FeatureMaterialisationStarter _starter;
    private readonly PlanMaterialisationActivity _plan;
    private readonly MaterialiseChunkActivity _chunk;
    private readonly PlanFileMaterialisationActivity _planFile;
    private readonly MaterialiseFileChunkActivity _fileChunk;
    private readonly ILogger<FeatureMaterialisationFunctions> _logger;

    public FeatureMaterialisationFunctions(FeatureMaterialisationStarter starter, PlanMaterialisationActivity plan, MaterialiseChunkActivity chunk,
        PlanFileMaterialisationActivity planFile, MaterialiseFileChunkActivity fileChunk, ILogger<FeatureMaterialisationFunctions> logger)
    {
        _starter = starter;
        _plan = plan;
        _chunk = chunk;
        _planFile = planFile;
        _fileChunk = fileChunk;
        _logger = logger;
    }

    [Function("StartFeatureMaterialisation")]
    [ApiOperation("Materialise a feature set version's history, or a file, into its online store", Request = typeof(StartMaterialisationBody),
        RequestRequired = false,
        Description = "Reads the history blobs of the event dates asked for (default: all), or with source a CSV or JSON Lines file in a data container, " +
                      "in chunks, at most max_parallelism at once, and merges their rows into the online store (a file's rows into the history too): " +
                      "per feature, the value with the latest event time wins, so running it again, or beside live writes, changes nothing it should not. " +
                      "The body is optional (empty: the whole history). Poll the status route: progress in custom_status, totals in output.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(OrchestrationAcceptedResponse), "Started.", Headers = ["Location"])]
    public Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "feature-sets/{name}/versions/{version}/materialisations")] HttpRequest request,
        string name, string version, [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxStartBodyBytes, cancellationToken);
            var parsed = body.Memory.Span.Trim(" \t\r\n"u8).IsEmpty
                ? new StartMaterialisationBody(null, null, null, null)
                : ApiJson.Read<StartMaterialisationBody>(body.Memory.Span) ?? throw ServingException.BadRequest("The body must be a JSON object.");
            var materialisation = new MaterialisationRequest
            {
                Name = name,
                Version = version,
                From = parsed.From,
                To = parsed.To,
                BlobsPerChunk = parsed.BlobsPerChunk ?? MaterialisationRequest.DefaultBlobsPerChunk,
                MaxParallelism = parsed.MaxParallelism ?? MaterialisationRequest.DefaultMaxParallelism,
                Source = parsed.Source,
                Format = parsed.Format,
                ChunkRows = parsed.ChunkRows ?? MaterialisationRequest.DefaultChunkRows,
            };
            var instanceId = await _starter.StartAsync(materialisation, client, cancellationToken);
            return OrchestrationApiFunctions.Accepted(request, instanceId);
        }, _logger);

    [Function(FeatureMaterialisationOrchestrator.Name)]
    public static Task<MaterialisationResult> Orchestrate([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new FeatureMaterialisationOrchestrator().RunAsync(context, context.GetInput<MaterialisationRequest>()!);

    [Function(PlanMaterialisationActivity.Name)]
    public Task<MaterialisationPlan> Plan([ActivityTrigger] MaterialisationRequest request) =>
        _plan.RunAsync(new NamedActivityContext(PlanMaterialisationActivity.Name), request);

    [Function(MaterialiseChunkActivity.Name)]
    public Task<MaterialisationChunkResult> Materialise([ActivityTrigger] MaterialisationChunk chunk) =>
        _chunk.RunAsync(new NamedActivityContext(MaterialiseChunkActivity.Name), chunk);

    [Function(PlanFileMaterialisationActivity.Name)]
    public Task<FileMaterialisationPlan> PlanFile([ActivityTrigger] MaterialisationRequest request) =>
        _planFile.RunAsync(new NamedActivityContext(PlanFileMaterialisationActivity.Name), request);

    [Function(MaterialiseFileChunkActivity.Name)]
    public Task<MaterialisationChunkResult> MaterialiseFile([ActivityTrigger] FileMaterialisationChunk chunk) =>
        _fileChunk.RunAsync(new NamedActivityContext(MaterialiseFileChunkActivity.Name), chunk);
}
