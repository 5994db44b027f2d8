using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Monitoring.Logging;
using Serverless.Functions.Http;

namespace Serverless.Functions.Inference;

/// <summary>
/// The inference log around a pooled JSON endpoint: begin with the request's <c>x-request-id</c>, then complete the
/// capture when the handler answers or fail it when it throws. Handlers settle the request id themselves, before
/// (predict: the header is known up front, <see cref="IHandler.Begun"/>) or after the answer (infer: the body's id wins,
/// <see cref="IHandler.Settled"/>).
/// </summary>
internal static class LoggedInference
{
    /// <summary>
    /// A route's work inside <see cref="RespondAsync{THandler}"/>, as a struct holding what it needs (no closure or delegate per request).
    /// </summary>
    public interface IHandler
    {
        /// <summary>The capture has begun (the request id may be settled from a header here).</summary>
        void Begun(InferenceLogCapture log);

        /// <summary>Writes the answer; returns the JSON header's length when binary tensor data follows it, else -1.</summary>
        ValueTask<int> HandleAsync(ReadOnlyMemory<byte> body, PooledBufferWriter output, InferenceLogCapture log, CancellationToken cancellationToken);

        /// <summary>The request was answered or failed: set the headers that name its id and version.</summary>
        void Settled(InferenceLogCapture log);
    }

    /// <summary>Starts the capture; an <c>x-request-id</c> header that is too long or not printable ASCII is a 400 (<see cref="RequestIds.ValidateHeader"/>).</summary>
    public static InferenceLogCapture Begin(InferenceLogger logger, HttpRequest request, string source, string name, string? version)
    {
        var values = request.Headers[RequestIds.HeaderName];
        var warmup = request.Headers[InferenceLogger.WarmupHeaderName];
        return logger.Begin(source, name, version, RequestIds.ValidateHeader(values.Count > 0 ? values[0] : null), warmup.Count > 0 ? warmup[0] : null);
    }

    /// <summary>
    /// The whole hot path in one method (one state machine, allocated only when an await does not complete at once): begin the
    /// capture, read the body into a pooled buffer under <paramref name="maxBodyBytes"/>, let the handler write the answer into a
    /// pooled writer that the response returns to the pool, complete or fail the capture, and answer a failure as
    /// <see cref="ApiResults.FromException"/> does.
    /// </summary>
    public static async Task<IActionResult> RespondAsync<THandler>(HttpRequest request, long maxBodyBytes, InferenceLogger logger, string source, string name,
        string? version, THandler handler, ILogger errors)
        where THandler : IHandler
    {
        InferenceLogCapture? log = null;
        try
        {
            log = Begin(logger, request, source, name, version);
            handler.Begun(log);
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, maxBodyBytes, cancellationToken);
            var output = new PooledBufferWriter(Math.Max(1024, body.Length));
            int headerLength;
            try
            {
                headerLength = await handler.HandleAsync(body.Memory, output, log, cancellationToken);
            }
            catch
            {
                output.Dispose();
                throw;
            }

            handler.Settled(log);
            logger.Complete(log);
            return new PooledJsonResult(output, headerLength);
        }
        catch (Exception e)
        {
            if (log is not null)
            {
                logger.Fail(log, e);
                handler.Settled(log);
            }

            return ApiResults.FromException(e, errors);
        }
    }
}
