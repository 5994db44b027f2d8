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
using Serverless.Core.Protocol;
using Serverless.Core.Serving;
using Serverless.Functions.Graphs;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Inference;

/// <summary>
/// OIP v2 inference: <c>POST v2/models/{name}[/versions/{version}]/infer</c>. The request id is the body's <c>id</c>, else
/// the <c>x-request-id</c> header's, else a new one (see <see cref="RequestIds"/>); it is the response's <c>id</c> and, when
/// it is a valid header value, its <c>x-request-id</c> header. The unversioned route follows the default alias's traffic split
/// (<see cref="TrafficRouting"/>); <c>x-model-version</c> names the version that served. Every request is offered to the inference log.
/// </summary>
public sealed class InferenceFunctions
{
    private const string BinaryExtension =
        "Binary tensor extension (as Triton and KServe): with the Inference-Header-Content-Length header, the body (any content type, " +
        "application/octet-stream by convention) is that many bytes of the JSON request, then the raw little-endian bytes of every input whose " +
        "parameters.binary_data_size gives its byte count (in input order; such an input has no data; BOOL one byte, BYTES elements a 4-byte length and " +
        "their bytes). parameters.binary_data_output true (for every output) or an output's parameters.binary_data true asks for outputs as raw bytes: " +
        "the answer is then application/octet-stream, its JSON's length in Inference-Header-Content-Length, each such output with " +
        "parameters.binary_data_size instead of data, their bytes after the JSON in output order.";

    private const string BinaryHeaderDescription =
        "The binary tensor extension: the byte length of the JSON request at the start of the body; the bytes after it are the binary inputs' data.";

    private readonly InferenceService _inference;
    private readonly GraphService _graphs;
    private readonly ModelResolver _resolver;
    private readonly InferenceLogger _log;
    private readonly MirrorDispatcher _mirror;
    private readonly ServingOptions _options;
    private readonly ILogger<InferenceFunctions> _logger;

    public InferenceFunctions(InferenceService inference, GraphService graphs, ModelResolver resolver, InferenceLogger log, MirrorDispatcher mirror, IOptions<ServingOptions> options,
        ILogger<InferenceFunctions> logger)
    {
        _inference = inference;
        _graphs = graphs;
        _resolver = resolver;
        _log = log;
        _mirror = mirror;
        _options = options.Value;
        _logger = logger;
    }

    [Function("Infer")]
    [ApiOperation("OIP v2 inference on the default version", Request = typeof(InferRequestBody), AlternateRequestContentType = BinaryTensorData.ContentType,
        Description = "Serves the version the default alias (Serving:DefaultAlias) points at, else the latest. When the alias splits traffic, a request " +
                      "carrying the split's routing key header goes to the same version while the split is unchanged; without it, to a version chosen at " +
                      "random by weight. x-model-version names the version that served. Every request is offered to the inference log. When the alias " +
                      "has a mirror, its share of the answered JSON requests is copied to the mirror version and scored there off the request path. " + BinaryExtension,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.PayloadTooLarge, ErrorCodes.IntegrityFailure, ErrorCodes.Unavailable])]
    [ApiParameter(RequestIds.HeaderName, ApiParameterLocation.Header, "The request id when the body has no id: at most 128 printable ASCII characters.")]
    [ApiParameter(BinaryTensorData.HeaderName, ApiParameterLocation.Header, BinaryHeaderDescription)]
    [ApiParameter(GraphTimings.HeaderName, ApiParameterLocation.Header, GraphTimings.Description)]
    [ApiResponse(StatusCodes.Status200OK, typeof(InferResponseBody), "The output tensors (JSON, then the binary outputs' bytes when any was asked for as binary data).",
        AlternateContentType = BinaryTensorData.ContentType, Headers = [RequestIds.HeaderName, TrafficRouting.VersionHeaderName, BinaryTensorData.HeaderName])]
    public Task<IActionResult> Infer(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v2/models/{name}/infer")] HttpRequest request, string name) =>
        InferAsync(request, name, null);

    [Function("InferVersion")]
    [ApiOperation("OIP v2 inference on a version", Request = typeof(InferRequestBody), AlternateRequestContentType = BinaryTensorData.ContentType,
        Description = "Every request is offered to the inference log. " + BinaryExtension,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.PayloadTooLarge, ErrorCodes.IntegrityFailure, ErrorCodes.Unavailable])]
    [ApiParameter(RequestIds.HeaderName, ApiParameterLocation.Header, "The request id when the body has no id: at most 128 printable ASCII characters.")]
    [ApiParameter(BinaryTensorData.HeaderName, ApiParameterLocation.Header, BinaryHeaderDescription)]
    [ApiParameter(GraphTimings.HeaderName, ApiParameterLocation.Header, GraphTimings.Description)]
    [ApiResponse(StatusCodes.Status200OK, typeof(InferResponseBody), "The output tensors (JSON, then the binary outputs' bytes when any was asked for as binary data).",
        AlternateContentType = BinaryTensorData.ContentType, Headers = [RequestIds.HeaderName, TrafficRouting.VersionHeaderName, BinaryTensorData.HeaderName])]
    public Task<IActionResult> InferVersion(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v2/models/{name}/versions/{version}/infer")] HttpRequest request,
        string name, string version) =>
        InferAsync(request, name, version);

    private Task<IActionResult> InferAsync(HttpRequest request, string name, string? version) =>
        LoggedInference.RespondAsync(request, _options.MaxRequestBodyBytes, _log, InferenceLogSource.Infer, name, version, new InferCall(this, request, name, version),
            _logger);

    private static void SetRequestIdHeader(HttpRequest request, InferenceLogCapture log)
    {
        TrafficRouting.SetVersionHeader(request, log);
        var id = log.EnsureRequestId();
        if (RequestIds.IsHeaderSafe(id))
        {
            request.HttpContext.Response.Headers[RequestIds.HeaderName] = id;
        }
    }

    /// <summary>One infer request's work (a struct: no closure per request).</summary>
    private readonly struct InferCall(InferenceFunctions functions, HttpRequest request, string name, string? version) : LoggedInference.IHandler
    {
        public void Begun(InferenceLogCapture log)
        {
        }

        public async ValueTask<int> HandleAsync(ReadOnlyMemory<byte> body, PooledBufferWriter output, InferenceLogCapture log, CancellationToken cancellationToken)
        {
            var headerLength = BinaryTensorData.ParseHeaderLength(request.Headers.TryGetValue(BinaryTensorData.HeaderName, out var header) ? header.ToString() : null);
            var (route, chosen) = await TrafficRouting.ChooseAsync(functions._resolver, request, name, version, cancellationToken);
            var answerHeaderLength = chosen.IsGraph
                ? await functions._graphs.InferAsync(chosen, body, headerLength, output, log, GraphTimings.Requested(request), cancellationToken)
                : await functions._inference.InferAsync(chosen, body, headerLength, output, log, cancellationToken);
            if (headerLength < 0)
            {
                // A mirror copy carries the JSON body only; binary tensor requests are not mirrored.
                functions._mirror.Offer(route, InferenceLogSource.Infer, log, body.Span);
            }

            return answerHeaderLength;
        }

        public void Settled(InferenceLogCapture log) => SetRequestIdHeader(request, log);
    }
}
