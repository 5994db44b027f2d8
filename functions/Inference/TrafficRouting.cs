using Microsoft.AspNetCore.Http;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;

namespace Serverless.Functions.Inference;

/// <summary>
/// Chooses the version that serves an infer or predict request (<see cref="ModelRoute"/>: a versioned route its version, an
/// unversioned one the default alias's version or split, reading the split's routing key header) and names it in the
/// <c>x-model-version</c> response header. A cached route completes synchronously and allocates nothing.
/// </summary>
internal static class TrafficRouting
{
    public const string VersionHeaderName = "x-model-version";

    public static ValueTask<ModelVersion> ChooseAsync(ModelResolver resolver, HttpRequest request, string name, string? version, CancellationToken cancellationToken)
    {
        var route = resolver.RouteAsync(name, version, cancellationToken);
        return route.IsCompletedSuccessfully ? ValueTask.FromResult(Choose(route.Result, request)) : ChooseSlowAsync(route, request);

        static async ValueTask<ModelVersion> ChooseSlowAsync(ValueTask<ModelRoute> route, HttpRequest request) =>
            Choose(await route.ConfigureAwait(false), request);
    }

    /// <summary>Sets <c>x-model-version</c> to the version that served (or was chosen for) the request, once one was.</summary>
    public static void SetVersionHeader(HttpRequest request, InferenceLogCapture log)
    {
        if (log.Version is { } served)
        {
            request.HttpContext.Response.Headers[VersionHeaderName] = served;
        }
    }

    private static ModelVersion Choose(ModelRoute route, HttpRequest request)
    {
        if (!route.IsSplit)
        {
            return route.Primary;
        }

        var values = request.Headers[route.RoutingKey!];
        return route.Choose(values.Count > 0 ? values[0].AsSpan() : default);
    }
}
