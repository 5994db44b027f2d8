using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Baselines;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Functions.Http;

namespace Serverless.Functions.Registry;

/// <summary>A version's baseline: the per-feature distribution of its training data (written by the sweep that registered it).</summary>
public sealed class ModelBaselineFunctions
{
    private readonly IModelRegistry _registry;
    private readonly BaselineStore _baselines;
    private readonly ILogger<ModelBaselineFunctions> _logger;

    public ModelBaselineFunctions(IModelRegistry registry, BaselineStore baselines, ILogger<ModelBaselineFunctions> logger)
    {
        _registry = registry;
        _baselines = baselines;
        _logger = logger;
    }

    [Function("GetModelBaseline")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "models/{name}/versions/{version}/baseline")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            _ = await _registry.GetVersionAsync(name, version, cancellationToken)
                ?? throw ServingException.NotFound($"Model '{name}' has no version '{version}'.");
            var baseline = await _baselines.GetAsync(name, version, cancellationToken)
                ?? throw ServingException.NotFound($"Model '{name}' version '{version}' has no baseline.");
            using var document = JsonDocument.Parse(baseline.ToJson());
            return new JsonBodyResult(document.RootElement.Clone());
        }, _logger);
}
