using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Baselines;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Registry;

/// <summary>
/// A version's baseline, the reference drift monitoring compares traffic with: written by the sweep that registered
/// the version, or uploaded as a CSV of reference rows (<c>PUT</c>, typed by the version's manifest; replaces any).
/// </summary>
public sealed class ModelBaselineFunctions
{
    // The Functions host refuses requests over 100 MB itself; a larger limit here could never apply.
    private const int MaxBaselineBodyBytes = 100 * 1024 * 1024;

    private readonly IModelRegistry _registry;
    private readonly BaselineStore _baselines;
    private readonly TimeProvider _clock;
    private readonly ILogger<ModelBaselineFunctions> _logger;

    public ModelBaselineFunctions(IModelRegistry registry, BaselineStore baselines, TimeProvider clock, ILogger<ModelBaselineFunctions> logger)
    {
        _registry = registry;
        _baselines = baselines;
        _clock = clock;
        _logger = logger;
    }

    [Function("SetModelBaseline")]
    [ApiOperation("Upload a version's baseline as CSV", RequestContentType = "text/csv",
        Description = "Reference rows with a header, typed by the version's manifest; replaces any baseline.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.PayloadTooLarge, ErrorCodes.IntegrityFailure,
            ErrorCodes.Unavailable])]
    [ApiResponse(StatusCodes.Status200OK, typeof(DatasetBaseline), "The baseline as stored.")]
    public Task<IActionResult> Set(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/versions/{version}/baseline")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var found = await _registry.GetExistingVersionAsync(name, version, cancellationToken);
            var manifest = await _registry.GetManifestAsync(found, cancellationToken)
                ?? throw ServingException.BadRequest(
                    $"Model '{name}' version '{version}' has no manifest; register one first (PUT .../manifest) so the baseline knows the features and their types.");
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxBaselineBodyBytes, cancellationToken);
            var baseline = BaselineCsv.Build(body.Memory, manifest.Features, $"uploaded CSV ({body.Memory.Length} bytes)", _clock.GetUtcNow());
            await _baselines.SaveAsync(name, version, baseline, cancellationToken);
            using var document = JsonDocument.Parse(baseline.ToJson());
            return new JsonBodyResult(document.RootElement.Clone());
        }, _logger);

    [Function("GetModelBaseline")]
    [ApiOperation("A version's baseline", Description = "The training data's per-feature distribution (written by the sweep that registered the version, or uploaded).",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(DatasetBaseline), "The baseline.")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions/{version}/baseline")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            _ = await _registry.GetExistingVersionAsync(name, version, cancellationToken);
            var baseline = await _baselines.GetAsync(name, version, cancellationToken)
                ?? throw ServingException.NotFound($"Model '{name}' version '{version}' has no baseline.");
            using var document = JsonDocument.Parse(baseline.ToJson());
            return new JsonBodyResult(document.RootElement.Clone());
        }, _logger);
}
