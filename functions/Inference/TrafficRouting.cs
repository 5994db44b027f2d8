using Microsoft.AspNetCore.Http;
using Serverless.Core.Mirroring;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;

namespace Serverless.Functions.Inference;

/// <summary>
/// Chooses the version that serves an infer or predict request (<see cref="ModelRoute"/>: a versioned route its version, an
/// unversioned one the default alias's version or split, reading the split's routing key header) and names it in the
/// <c>x-model-version</c> response header. A cached route completes synchronously and allocates nothing. The route also carries
/// the default alias's mirror, which the caller offers the request to once its answer is built (<see cref="MirrorDispatcher"/>).
/// </summary>
internal static class TrafficRouting
{
    public const string VersionHeaderName = "x-model-version";

    /// <summary>The request's route (for its mirror) and the version chosen on it.</summary>
    public static ValueTask<(ModelRoute Route, ModelVersion Version)> ChooseAsync(ModelResolver resolver, HttpRequest request, string name, string? version,
        CancellationToken cancellationToken)
    {
        var route = resolver.RouteAsync(name, version, cancellationToken);
        return route.IsCompletedSuccessfully ? ValueTask.FromResult((route.Result, Choose(route.Result, request))) : ChooseSlowAsync(route, request);

        static async ValueTask<(ModelRoute, ModelVersion)> ChooseSlowAsync(ValueTask<ModelRoute> route, HttpRequest request)
        {
            var resolved = await route.ConfigureAwait(false);
            return (resolved, Choose(resolved, request));
        }
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
