using Microsoft.AspNetCore.Http;

namespace Serverless.Functions.Graphs;

/// <summary>The <c>x-graph-timings</c> request header: <c>true</c> (or <c>1</c>) adds each member's milliseconds to a graph's answer.</summary>
public static class GraphTimings
{
    public const string HeaderName = "x-graph-timings";

    public const string Description =
        "On a request to an inference graph: true adds each step's milliseconds (lease, run, any batching wait) to parameters.graph.steps[].ms.";

    public const string PredictDescription =
        "On a request to an inference graph: true adds each step's milliseconds (lease, run, any batching wait) to graph.steps[].ms.";

    public static bool Requested(HttpRequest request) =>
        request.Headers.TryGetValue(HeaderName, out var value) && value.ToString() is "true" or "1" or "True";
}
