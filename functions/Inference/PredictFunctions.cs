using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;
using Serverless.Core.Mirroring;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;
using Serverless.Functions.Graphs;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Inference;

/// <summary>
/// The records API for tabular models with a manifest: <c>POST models/{name}[/versions/{version}]/predict</c> with
/// <c>{"instances": [...]}</c> or <c>{"dataframe_split": {...}}</c>, answering one prediction per row.
/// The request id is the <c>x-request-id</c> header's (see <see cref="RequestIds"/>) or a new one, and is returned in the
/// <c>x-request-id</c> response header; the unversioned route follows the default alias's traffic split (<see cref="TrafficRouting"/>)
/// and <c>x-model-version</c> names the version that served; every request is offered to the inference log.
/// </summary>
public sealed class PredictFunctions
{
    private const string GraphRecordsDescription =
        "rows read with the graph's own manifest, else its entry member's; the answer read with the graph's own manifest, else its exit member's; " +
        "graph.steps names the member versions that served; a graph no manifest maps is refused with 400 saying why";

    private readonly TabularPredictionService _predictions;
    private readonly GraphRecordService _graphs;
    private readonly ModelResolver _resolver;
    private readonly InferenceLogger _log;
    private readonly MirrorDispatcher _mirror;
    private readonly ServingOptions _options;
    private readonly ILogger<PredictFunctions> _logger;

    public PredictFunctions(TabularPredictionService predictions, GraphRecordService graphs, ModelResolver resolver, InferenceLogger log, MirrorDispatcher mirror, IOptions<ServingOptions> options,
        ILogger<PredictFunctions> logger)
    {
        _predictions = predictions;
        _graphs = graphs;
        _resolver = resolver;
        _log = log;
        _mirror = mirror;
        _options = options.Value;
        _logger = logger;
    }

    [Function("Predict")]
    [ApiOperation("Predict rows with the default version (records API)", Request = typeof(PredictRequestBody),
        Description = "For versions with a manifest, and inference graphs (" + GraphRecordsDescription + "). Serves the version the default alias points at, else the latest; a traffic split is followed as " +
                      "for infer (the routing key header keeps a caller on one version), and so is a mirror. x-model-version names the version that served. " +
                      "Every request is offered to the inference log.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.PayloadTooLarge, ErrorCodes.IntegrityFailure, ErrorCodes.Unavailable])]
    [ApiParameter(RequestIds.HeaderName, ApiParameterLocation.Header, "The request id: at most 128 printable ASCII characters; a new one when absent.")]
    [ApiParameter("feature_status", ApiParameterLocation.Query, "true: for a model that takes features from feature sets, the answer adds feature_status, per row whether each such feature was present, missing, expired or sent in the request.")]
    [ApiParameter(GraphTimings.HeaderName, ApiParameterLocation.Header, GraphTimings.PredictDescription)]
    [ApiResponse(StatusCodes.Status200OK, typeof(PredictResponseBody), "One prediction per row, in order.", Headers = [RequestIds.HeaderName, TrafficRouting.VersionHeaderName])]
    public Task<IActionResult> Predict(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{name}/predict")] HttpRequest request, string name) =>
        PredictAsync(request, name, null);

    [Function("PredictVersion")]
    [ApiOperation("Predict rows with a version (records API)", Request = typeof(PredictRequestBody),
        Description = "For versions with a manifest, and inference graphs (" + GraphRecordsDescription + "). Every request is offered to the inference log.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.PayloadTooLarge, ErrorCodes.IntegrityFailure, ErrorCodes.Unavailable])]
    [ApiParameter(RequestIds.HeaderName, ApiParameterLocation.Header, "The request id: at most 128 printable ASCII characters; a new one when absent.")]
    [ApiParameter("feature_status", ApiParameterLocation.Query, "true: for a model that takes features from feature sets, the answer adds feature_status, per row whether each such feature was present, missing, expired or sent in the request.")]
    [ApiParameter(GraphTimings.HeaderName, ApiParameterLocation.Header, GraphTimings.PredictDescription)]
    [ApiResponse(StatusCodes.Status200OK, typeof(PredictResponseBody), "One prediction per row, in order.", Headers = [RequestIds.HeaderName, TrafficRouting.VersionHeaderName])]
    public Task<IActionResult> PredictVersion(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{name}/versions/{version}/predict")] HttpRequest request,
        string name, string version) =>
        PredictAsync(request, name, version);

    private Task<IActionResult> PredictAsync(HttpRequest request, string name, string? version) =>
        LoggedInference.RespondAsync(request, _options.MaxRequestBodyBytes, _log, InferenceLogSource.Predict, name, version,
            new PredictCall(this, request, name, version), _logger);

    /// <summary>One predict request's work (a struct: no closure per request).</summary>
    private readonly struct PredictCall(PredictFunctions functions, HttpRequest request, string name, string? version) : LoggedInference.IHandler
    {
        public void Begun(InferenceLogCapture log) => request.HttpContext.Response.Headers[RequestIds.HeaderName] = log.EnsureRequestId();

        public async ValueTask<int> HandleAsync(ReadOnlyMemory<byte> body, PooledBufferWriter output, InferenceLogCapture log, CancellationToken cancellationToken)
        {
            var (route, chosen) = await TrafficRouting.ChooseAsync(functions._resolver, request, name, version, cancellationToken);
            if (chosen.IsGraph)
            {
                await functions._graphs.PredictAsync(chosen, body, output, log, GraphTimings.Requested(request), cancellationToken);
            }
            else
            {
                var featureStatus = string.Equals(request.Query["feature_status"], "true", StringComparison.OrdinalIgnoreCase);
                await functions._predictions.PredictAsync(chosen, body, output, log, featureStatus, cancellationToken);
            }

            functions._mirror.Offer(route, InferenceLogSource.Predict, log, body.Span);
            return -1;
        }

        public void Settled(InferenceLogCapture log) => TrafficRouting.SetVersionHeader(request, log);
    }
}
