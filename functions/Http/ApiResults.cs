using System.Diagnostics;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;

namespace Serverless.Functions.Http;

/// <summary>
/// The one place a function's failure becomes an HTTP answer, in the route's <see cref="ErrorShape"/>: the app's <see cref="ApiError"/>
/// (<c>{"error": "...", "code": "..."}</c>), or on MLflow's routes <see cref="MlflowError"/> (<c>{"error_code": "...", "message": "..."}</c>,
/// the code and status mapped by <see cref="MlflowErrors"/>). A client's mistake is a 4xx with the <see cref="ServingException"/>'s message
/// and code; a storage outage is a 503 (<c>storage_unavailable</c>) and any other fault a 500 (<c>internal_error</c>),
/// each with a stable message and a <c>correlation_id</c> under which the detail is logged (exception text of storage or
/// ONNX Runtime internals can name hosts and paths, so it never reaches the caller).
/// </summary>
public static class ApiResults
{
    public static IActionResult Error(ServingException error, ErrorShape shape = ErrorShape.Api) =>
        shape == ErrorShape.Mlflow
            ? MlflowErrors.Result(error.Code, error.Message)
            : new JsonBodyResult(new ApiError(error.Message, error.Code), error.StatusCode);

    /// <summary>An idempotent PUT's answer: 201 with a Location (the request's own path) when it created, else 200.</summary>
    public static IActionResult CreatedOrOk(HttpRequest request, object value, bool created) =>
        created
            ? new JsonBodyResult(value, StatusCodes.Status201Created, new Dictionary<string, string> { ["Location"] = $"{request.PathBase}{request.Path}" })
            : new JsonBodyResult(value);

    public static Task<IActionResult> GuardAsync(Func<Task<IActionResult>> handler, ILogger logger) =>
        GuardAsync(static handler => handler(), handler, logger);

    /// <summary>As above, failures answered in <paramref name="shape"/>.</summary>
    public static async Task<IActionResult> GuardAsync(Func<Task<IActionResult>> handler, ILogger logger, ErrorShape shape)
    {
        try
        {
            return await handler();
        }
        catch (Exception e)
        {
            return FromException(e, logger, shape);
        }
    }

    /// <summary>As above, the handler taking <paramref name="state"/> (a static lambda over a struct state allocates no closure on a hot path).</summary>
    public static async Task<IActionResult> GuardAsync<TState>(Func<TState, Task<IActionResult>> handler, TState state, ILogger logger)
    {
        try
        {
            return await handler(state);
        }
        catch (Exception e)
        {
            return FromException(e, logger);
        }
    }

    /// <summary>The answer for a handler's failure (what <see cref="GuardAsync{TState}"/> answers), logging a server-side one under a correlation id.</summary>
    public static IActionResult FromException(Exception error, ILogger logger, ErrorShape shape = ErrorShape.Api)
    {
        switch (error)
        {
            case ServingException serving:
                return Error(serving, shape);
            case RequestFailedException { Status: 0 or >= 500 }:
            {
                var id = NewCorrelationId();
                logger.LogWarning(error, "Storage request failed (correlation id {CorrelationId})", id);
                return Fault(StatusCodes.Status503ServiceUnavailable, ErrorCodes.StorageUnavailable, "Storage is unavailable; retry later.", id, shape);
            }

            case OperationCanceledException:
                // The client went away; 499 is what reverse proxies log for that.
                return new StatusCodeResult(499);
            default:
            {
                var id = NewCorrelationId();
                logger.LogError(error, "Request failed (correlation id {CorrelationId})", id);
                return Fault(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "The server failed to answer this request.", id, shape);
            }
        }
    }

    /// <summary>A server-side failure: a stable message and the id the detail was logged under, nothing of the exception.</summary>
    public static IActionResult Fault(int statusCode, string code, string message, string correlationId, ErrorShape shape = ErrorShape.Api)
    {
        var text = $"{message} The operator can find the cause in the logs under correlation id {correlationId}.";
        return shape == ErrorShape.Mlflow
            ? MlflowErrors.Result(code, text)
            : new JsonBodyResult(new ApiError(text, code, correlationId), statusCode);
    }

    /// <summary>The trace id when a trace is active (so the id finds the request in Application Insights), else a new one.</summary>
    public static string NewCorrelationId() =>
        Activity.Current is { } activity && activity.TraceId != default ? activity.TraceId.ToHexString() : Guid.NewGuid().ToString("N");
}
