using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Buffers;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Functions.Http;

namespace Serverless.Functions.Inference;

/// <summary>
/// The records API for tabular models with a manifest: <c>POST models/{name}[/versions/{version}]/predict</c> with
/// <c>{"instances": [...]}</c> or <c>{"dataframe_split": {...}}</c>, answering one prediction per row.
/// </summary>
public sealed class PredictFunctions
{
    private readonly TabularPredictionService _predictions;
    private readonly ServingOptions _options;
    private readonly ILogger<PredictFunctions> _logger;

    public PredictFunctions(TabularPredictionService predictions, IOptions<ServingOptions> options, ILogger<PredictFunctions> logger)
    {
        _predictions = predictions;
        _options = options.Value;
        _logger = logger;
    }

    [Function("Predict")]
    public Task<IActionResult> Predict(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{name}/predict")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(() => PredictAsync(request, name, null), _logger);

    [Function("PredictVersion")]
    public Task<IActionResult> PredictVersion(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{name}/versions/{version}/predict")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(() => PredictAsync(request, name, version), _logger);

    private Task<IActionResult> PredictAsync(HttpRequest request, string name, string? version) =>
        PooledJsonEndpoint.RespondAsync(request, _options.MaxRequestBodyBytes, (body, output, ct) => _predictions.PredictAsync(name, version, body, output, ct));
}
