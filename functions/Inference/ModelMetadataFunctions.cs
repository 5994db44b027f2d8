using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Serving;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Inference;

/// <summary>OIP v2 model metadata and model readiness. A readiness probe loads the version, so probing warms it.</summary>
public sealed class ModelMetadataFunctions
{
    private readonly InferenceService _inference;
    private readonly ILogger<ModelMetadataFunctions> _logger;

    public ModelMetadataFunctions(InferenceService inference, ILogger<ModelMetadataFunctions> logger)
    {
        _inference = inference;
        _logger = logger;
    }

    [Function("ModelMetadata")]
    [ApiOperation("OIP v2 metadata of the default version", Description = "-1 marks a dimension that varies per request.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelMetadata), "The version's inputs and outputs.")]
    public Task<IActionResult> Metadata(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v2/models/{name}")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () => new JsonBodyResult(await _inference.GetMetadataAsync(name, null, request.HttpContext.RequestAborted)), _logger);

    [Function("ModelVersionMetadata")]
    [ApiOperation("OIP v2 metadata of a version", Description = "-1 marks a dimension that varies per request.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelMetadata), "The version's inputs and outputs.")]
    public Task<IActionResult> VersionMetadata(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v2/models/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () => new JsonBodyResult(await _inference.GetMetadataAsync(name, version, request.HttpContext.RequestAborted)), _logger);

    [Function("ModelReady")]
    [ApiOperation("Readiness of the default version", Description = "Loads and warms the version if needed, so probing warms it.",
        Errors = [ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.IntegrityFailure, ErrorCodes.Unavailable])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelReadinessResponse), "Ready, or registered but not loadable (ready false, with error and code).")]
    public Task<IActionResult> Ready(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v2/models/{name}/ready")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(() => ReadyAsync(request, name, null), _logger);

    [Function("ModelVersionReady")]
    [ApiOperation("Readiness of a version", Description = "Loads and warms the version if needed, so probing warms it.",
        Errors = [ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.IntegrityFailure, ErrorCodes.Unavailable])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelReadinessResponse), "Ready, or registered but not loadable (ready false, with error and code).")]
    public Task<IActionResult> VersionReady(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v2/models/{name}/versions/{version}/ready")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(() => ReadyAsync(request, name, version), _logger);

    private async Task<IActionResult> ReadyAsync(HttpRequest request, string name, string? version)
    {
        try
        {
            await _inference.EnsureLoadedAsync(name, version, request.HttpContext.RequestAborted);
            return new JsonBodyResult(new ModelReadinessResponse(name, true));
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
            // Registered but not loadable: it exists, it is just not ready.
            return new JsonBodyResult(new ModelReadinessResponse(name, false, e.Message, e.Code));
        }
    }
}
