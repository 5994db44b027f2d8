using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Tabular.Steps;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Registry;

/// <summary>
/// A version's tabular manifest: register (<c>PUT</c> the JSON after the model itself; 201 new, 200 the same
/// manifest again, 409 a different one, 400 one that does not fit the model or its declared feature sets, or names a code
/// step the app does not register) and read it back.
/// </summary>
public sealed class ModelManifestFunctions
{
    private const int MaxManifestBodyBytes = 1024 * 1024;

    private readonly IModelRegistry _registry;
    private readonly FeatureSetCatalog _featureSets;
    private readonly TabularStepCatalog _steps;
    private readonly ILogger<ModelManifestFunctions> _logger;

    public ModelManifestFunctions(IModelRegistry registry, FeatureSetCatalog featureSets, TabularStepCatalog steps, ILogger<ModelManifestFunctions> logger)
    {
        _registry = registry;
        _featureSets = featureSets;
        _steps = steps;
        _logger = logger;
    }

    [Function("SetModelManifest")]
    [ApiOperation("Register a version's tabular manifest", Request = typeof(ManifestDocument),
        Description = "After the model itself. The same manifest again answers 200; a different one 409; one that does not fit the model 400, as does a pre or post step that does not compile or names an unregistered code step (the message names the step, e.g. post[1].when). Unknown fields are refused.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status201Created, typeof(ManifestDocument), "Registered; the canonical manifest.", Headers = ["Location"])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ManifestDocument), "The same manifest was registered before; the canonical manifest.")]
    public Task<IActionResult> Set(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/versions/{version}/manifest")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            using var body = await VersionBody.ReadAsync(request, name, version, MaxManifestBodyBytes);
            var cancellationToken = request.HttpContext.RequestAborted;
            var manifest = ModelManifest.Parse(body.Span);
            _steps.Check(manifest);
            await _featureSets.CheckManifestAsync(manifest, cancellationToken);
            var result = await _registry.SetManifestAsync(name, version, manifest, cancellationToken);
            return ApiResults.CreatedOrOk(request, ToJson(result.CanonicalJson), result.Outcome == RegistrationOutcome.Created);
        }, _logger);

    [Function("GetModelManifest")]
    [ApiOperation("A version's manifest", Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.NotFound,
        ErrorCodes.IntegrityFailure, ErrorCodes.Unavailable])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ManifestDocument), "The canonical manifest.")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions/{version}/manifest")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var found = await _registry.GetExistingVersionAsync(name, version, cancellationToken);
            var manifest = await _registry.GetManifestAsync(found, cancellationToken)
                ?? throw ServingException.NotFound($"Model '{name}' version '{version}' has no manifest.");
            return new JsonBodyResult(ToJson(manifest.ToCanonicalJson()));
        }, _logger);

    private static JsonElement ToJson(byte[] canonicalJson)
    {
        using var document = JsonDocument.Parse(canonicalJson);
        return document.RootElement.Clone();
    }
}
