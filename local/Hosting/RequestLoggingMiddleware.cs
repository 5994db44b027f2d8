using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.Local.Hosting;

/// <summary>Logs one line per request: method, path, status and elapsed milliseconds.</summary>
internal sealed class RequestLoggingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger _logger;

    public RequestLoggingMiddleware(RequestDelegate next, ILoggerFactory loggers)
    {
        _next = next;
        _logger = loggers.CreateLogger("Request");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey(HttpPipelineWarmer.Header))
        {
            await _next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await _next(context);
        }
        finally
        {
            _logger.LogInformation("{Method} {Path} -> {Status} in {ElapsedMs:F2} ms ({Function})",
                context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.GetEndpoint()?.DisplayName ?? "no route");
        }
    }
}
