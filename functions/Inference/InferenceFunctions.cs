using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Buffers;
using Serverless.Core.Serving;
using Serverless.Functions.Http;

namespace Serverless.Functions.Inference;

/// <summary>OIP v2 inference: <c>POST v2/models/{name}[/versions/{version}]/infer</c>.</summary>
public sealed class InferenceFunctions
{
    private readonly InferenceService _inference;
    private readonly ServingOptions _options;
    private readonly ILogger<InferenceFunctions> _logger;

    public InferenceFunctions(InferenceService inference, IOptions<ServingOptions> options, ILogger<InferenceFunctions> logger)
    {
        _inference = inference;
        _options = options.Value;
        _logger = logger;
    }

    [Function("Infer")]
    public Task<IActionResult> Infer(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v2/models/{name}/infer")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(() => InferAsync(request, name, null), _logger);

    [Function("InferVersion")]
    public Task<IActionResult> InferVersion(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v2/models/{name}/versions/{version}/infer")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(() => InferAsync(request, name, version), _logger);

    private Task<IActionResult> InferAsync(HttpRequest request, string name, string? version) =>
        PooledJsonEndpoint.RespondAsync(request, _options.MaxRequestBodyBytes, (body, output, ct) => _inference.InferAsync(name, version, body, output, ct));
}
