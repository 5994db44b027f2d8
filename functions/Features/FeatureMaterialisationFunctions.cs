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
    private readonly ILogger<FeatureMaterialisationFunctions> _logger;

    public FeatureMaterialisationFunctions(FeatureMaterialisationStarter starter, PlanMaterialisationActivity plan, MaterialiseChunkActivity chunk,
        ILogger<FeatureMaterialisationFunctions> logger)
    {
        _starter = starter;
        _plan = plan;
        _chunk = chunk;
        _logger = logger;
    }

    [Function("StartFeatureMaterialisation")]
    [ApiOperation("Materialise a feature set version's history into its online store", Request = typeof(StartMaterialisationBody),
        Description = "Reads the history blobs of the event dates asked for (default: all) in chunks, at most max_parallelism at once, and merges " +
                      "their rows into the online store: per feature, the value with the latest event time wins, so running it again, or beside live " +
                      "writes, changes nothing it should not. Poll the status route: progress in custom_status, totals in output.",
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
}
