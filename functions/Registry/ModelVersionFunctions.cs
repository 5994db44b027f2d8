using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Functions.Http;

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
    public Task<IActionResult> ListModels([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models")] HttpRequest request) =>
        ApiResults.GuardAsync(async () =>
        {
            var models = await _registry.ListModelsAsync(request.HttpContext.RequestAborted);
            return new JsonBodyResult(new { models = models.Select(RegistryDtos.Summary) });
        }, _logger);

    [Function("ListModelVersions")]
    public Task<IActionResult> ListVersions(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            var versions = await _registry.ListVersionsAsync(name, request.HttpContext.RequestAborted);
            if (versions.Count == 0)
            {
                throw ServingException.NotFound($"Model '{name}' not found.");
            }

            return new JsonBodyResult(new { name, versions = versions.Select(v => RegistryDtos.Version(v, _inference.GetColdStart(v))) });
        }, _logger);

    [Function("RegisterModelVersion")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            ModelIdentifiers.ValidateName(name);
            ModelIdentifiers.ValidateVersion(version);
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, _options.MaxModelBytes, cancellationToken);
            var description = request.Query["description"].FirstOrDefault();
            var result = await _registry.RegisterAsync(name, version, body.ToArray(), description, cancellationToken);
            return ApiResults.CreatedOrOk(request, RegistryDtos.Version(result.Version, _inference.GetColdStart(result.Version)),
                result.Outcome == RegistrationOutcome.Created);
        }, _logger);

    [Function("GetModelVersion")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var found = await _registry.GetExistingVersionAsync(name, version, request.HttpContext.RequestAborted);
            return new JsonBodyResult(RegistryDtos.Version(found, _inference.GetColdStart(found)));
        }, _logger);

    [Function("DeleteModelVersion")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "models/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            await _registry.DeleteVersionAsync(name, version, request.HttpContext.RequestAborted);
            return new NoContentResult();
        }, _logger);
}
