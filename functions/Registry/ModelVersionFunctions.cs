using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Registry;

/// <summary>Model versions: register (PUT raw ONNX bytes), list, read and delete.</summary>
public sealed class ModelVersionFunctions
{
    private readonly IModelRegistry _registry;
    private readonly InferenceService _inference;
    private readonly RegistryOptions _options;
    private readonly ILogger<ModelVersionFunctions> _logger;

    public ModelVersionFunctions(IModelRegistry registry, InferenceService inference, IOptions<RegistryOptions> options, ILogger<ModelVersionFunctions> logger)
    {
        _registry = registry;
        _inference = inference;
        _options = options.Value;
        _logger = logger;
    }

    [Function("ListModels")]
    [ApiOperation("Every model with its versions, aliases and latest version")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelListResponse), "The models.")]
    public Task<IActionResult> ListModels([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models")] HttpRequest request) =>
        ApiResults.GuardAsync(async () =>
        {
            var models = await _registry.ListModelsAsync(request.HttpContext.RequestAborted);
            return new JsonBodyResult(new ModelListResponse(models));
        }, _logger);

    [Function("ListModelVersions")]
    [ApiOperation("A model's versions", Description = "Signatures, hashes, measured session bytes and, where loaded here, cold-start timings.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelVersionListResponse), "The versions, oldest first.")]
    public Task<IActionResult> ListVersions(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            var versions = await _registry.ListVersionsAsync(name, request.HttpContext.RequestAborted);
            if (versions.Count == 0)
            {
                throw ServingException.ModelNotFound($"Model '{name}' not found.");
            }

            return new JsonBodyResult(new ModelVersionListResponse(name, [.. versions.Select(v => ModelVersionResponse.From(v, _inference.GetColdStart(v)))]));
        }, _logger);

    [Function("RegisterModelVersion")]
    [ApiOperation("Register a version (raw ONNX bytes)", RequestContentType = "application/octet-stream",
        Description = "Idempotent: the same bytes again answer 200. Refused (400, nothing stored): bytes that are not a well-formed ONNX model, " +
                      "external data, a session over Registry:MaxSessionBytes, a warm-up input over Serving:MaxWarmupElements.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiParameter("description", ApiParameterLocation.Query, "A description stored with the version.")]
    [ApiResponse(StatusCodes.Status201Created, typeof(ModelVersionResponse), "Registered.", Headers = ["Location"])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelVersionResponse), "The same bytes were registered before.")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            using var body = await VersionBody.ReadAsync(request, name, version, _options.MaxModelBytes);
            var cancellationToken = request.HttpContext.RequestAborted;
            var description = request.Query["description"].FirstOrDefault();
            var result = await _registry.RegisterAsync(name, version, body.ToArray(), description, cancellationToken);
            return ApiResults.CreatedOrOk(request, ModelVersionResponse.From(result.Version, _inference.GetColdStart(result.Version)),
                result.Outcome == RegistrationOutcome.Created);
        }, _logger);

    [Function("GetModelVersion")]
    [ApiOperation("A version", Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelVersionResponse), "The version.")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var found = await _registry.GetExistingVersionAsync(name, version, request.HttpContext.RequestAborted);
            return new JsonBodyResult(ModelVersionResponse.From(found, _inference.GetColdStart(found)));
        }, _logger);

    [Function("DeleteModelVersion")]
    [ApiOperation("Delete a version", Description = "Refused (409) while an alias points at it.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.Conflict])]
    [ApiResponse(StatusCodes.Status204NoContent, null, "Deleted, with its bytes and manifest.")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "models/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            await _registry.DeleteVersionAsync(name, version, request.HttpContext.RequestAborted);
            return new NoContentResult();
        }, _logger);
}
