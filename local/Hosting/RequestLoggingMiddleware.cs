using System.Diagnostics;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Local.Hosting;

/// <summary>Logs one line per request (method, path, status and elapsed milliseconds), except the runner's own warm-up.</summary>
internal sealed class RequestLoggingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly InferenceLogger _log;

    public RequestLoggingMiddleware(RequestDelegate next, ILoggerFactory loggers, InferenceLogger log)
    {
        _next = next;
        _log = log;
        _logger = loggers.CreateLogger("Request");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.TryGetValue(InferenceLogger.WarmupHeaderName, out var warmup) && _log.IsWarmup(warmup.ToString()))
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
