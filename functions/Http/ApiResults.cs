using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;

namespace Serverless.Functions.Http;

/// <summary>
/// The one place a function's failure becomes an HTTP answer: a client's mistake is a 4xx with
/// <c>{"error": "..."}</c>; a storage outage is a 503; anything else is a server fault and propagates.
/// </summary>
public static class ApiResults
{
    public static IActionResult Error(int statusCode, string message) =>
        new JsonBodyResult(new ErrorBody(message), statusCode);

    /// <summary>An idempotent PUT's answer: 201 with a Location (the request's own path) when it created, else 200.</summary>
    public static IActionResult CreatedOrOk(HttpRequest request, object value, bool created) =>
        created
            ? new JsonBodyResult(value, StatusCodes.Status201Created, new Dictionary<string, string> { ["Location"] = $"{request.PathBase}{request.Path}" })
            : new JsonBodyResult(value);

    public static async Task<IActionResult> GuardAsync(Func<Task<IActionResult>> handler, ILogger logger)
    {
        try
        {
            return await handler();
        }
        catch (ServingException e)
        {
            return Error(e.StatusCode, e.Message);
        }
        catch (RequestFailedException e) when (e.Status is 0 or >= 500)
        {
            logger.LogWarning(e, "Storage request failed");
            return Error(StatusCodes.Status503ServiceUnavailable, $"Storage is unavailable: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            // The client went away; 499 is what reverse proxies log for that.
            return new StatusCodeResult(499);
        }
    }

    private sealed record ErrorBody(string Error);
}
