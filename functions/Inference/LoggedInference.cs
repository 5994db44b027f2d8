using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Serverless.Core.Monitoring.Logging;
using Serverless.Functions.Http;

namespace Serverless.Functions.Inference;

/// <summary>
/// The inference log around a pooled JSON endpoint: begin with the request's <c>x-request-id</c>, then complete the
/// capture when the handler answers or fail it when it throws. Callers settle the request id themselves, before
/// (predict: the header is known up front) or after the handler (infer: the body's id wins), via <c>settled</c>.
/// </summary>
internal static class LoggedInference
{
    /// <summary>Starts the capture; an <c>x-request-id</c> header that is too long or not printable ASCII is a 400 (<see cref="RequestIds.ValidateHeader"/>).</summary>
    public static InferenceLogCapture Begin(InferenceLogger logger, HttpRequest request, string source, string name, string? version)
    {
        var values = request.Headers[RequestIds.HeaderName];
        var warmup = request.Headers[InferenceLogger.WarmupHeaderName];
        return logger.Begin(source, name, version, RequestIds.ValidateHeader(values.Count > 0 ? values[0] : null), warmup.Count > 0 ? warmup[0] : null);
    }

    public static Task<IActionResult> RespondAsync(HttpRequest request, long maxBodyBytes, InferenceLogger logger, InferenceLogCapture log,
        PooledJsonEndpoint.Handler handler, Action<InferenceLogCapture>? settled = null) =>
        SettleAsync(PooledJsonEndpoint.RespondAsync(request, maxBodyBytes, handler), logger, log, settled);

    /// <summary>As above for a handler whose answer may carry binary tensor data (OIP infer).</summary>
    public static Task<IActionResult> RespondAsync(HttpRequest request, long maxBodyBytes, InferenceLogger logger, InferenceLogCapture log,
        PooledJsonEndpoint.BinaryHandler handler, Action<InferenceLogCapture>? settled = null) =>
        SettleAsync(PooledJsonEndpoint.RespondAsync(request, maxBodyBytes, handler), logger, log, settled);

    private static async Task<IActionResult> SettleAsync(Task<IActionResult> respond, InferenceLogger logger, InferenceLogCapture log,
        Action<InferenceLogCapture>? settled)
    {
        try
        {
            var result = await respond;
            settled?.Invoke(log);
            logger.Complete(log);
            return result;
        }
        catch (Exception e)
        {
            logger.Fail(log, e);
            settled?.Invoke(log);
            throw;
        }
    }
}
