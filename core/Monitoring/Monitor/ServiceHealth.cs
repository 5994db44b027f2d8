namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Requests, errors and latency percentiles (ms, whole request: body read to answer built) in the window: in all, by
/// the HTTP status of the failures (<c>"400"</c>, <c>"500"</c>, …; <c>"unknown"</c> for failures logged before the
/// status was), and per API the requests came through (<see cref="ApiCounts"/>). <see cref="Previous"/>: the same
/// version's figures over the window before this one (the newest earlier report whose window ended by this one's
/// start), when there is one. Immutable; equal when every figure is (the collections compared item by item).
/// </summary>
public sealed record ServiceHealth(
    long Requests,
    long Errors,
    double ErrorRate,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    double? LatencyP99Ms,
    IReadOnlyDictionary<string, long>? ErrorsByStatus = null,
    IReadOnlyList<ApiHealth>? Apis = null,
    PreviousWindow? Previous = null)
{
    public bool Equals(ServiceHealth? other) =>
        other is not null && Requests == other.Requests && Errors == other.Errors && ErrorRate.Equals(other.ErrorRate) &&
        Nullable.Equals(LatencyP50Ms, other.LatencyP50Ms) && Nullable.Equals(LatencyP95Ms, other.LatencyP95Ms) && Nullable.Equals(LatencyP99Ms, other.LatencyP99Ms) &&
        SameItems(ErrorsByStatus, other.ErrorsByStatus) && SameItems(Apis, other.Apis) && Equals(Previous, other.Previous);

    public override int GetHashCode() => HashCode.Combine(Requests, Errors, ErrorRate, LatencyP95Ms, Apis?.Count, Previous);

    private static bool SameItems<T>(IEnumerable<T>? a, IEnumerable<T>? b) => a is null || b is null ? a is null && b is null : a.SequenceEqual(b);
}

/// <summary>One API's share of the window: requests, rows served, failures and latency percentiles (ms).</summary>
public sealed record ApiHealth(string Api, long Requests, long Rows, long Errors, double ErrorRate, double? LatencyP50Ms, double? LatencyP95Ms, double? LatencyP99Ms);

/// <summary>The service figures of the version's previous window, from the report that judged it (run id and window given).</summary>
public sealed record PreviousWindow(string RunId, DateTimeOffset WindowStartUtc, DateTimeOffset WindowEndUtc, long Requests, double ErrorRate, double? LatencyP95Ms);
