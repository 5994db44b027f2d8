using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Functions.Monitoring;

/// <summary>
/// Feedback stored for the next monitoring run: how many outcomes were accepted, how many of them match a logged
/// prediction (request id and row) of the model in the monitoring window (null when that could not be known), and the
/// distinct ids that match none (at most 100; <c>more_unmatched_ids</c> counts the rest).
/// </summary>
public sealed record FeedbackAcceptedResponse(string ModelName, int Accepted, int? Matched, IReadOnlyList<string>? UnmatchedIds, int MoreUnmatchedIds);

/// <summary>
/// A finished monitoring run: its window, a summary per report written, alerts delivered and the model versions skipped
/// (with why); <c>joined</c> when the request joined a run of the same scope that was already under way.
/// </summary>
public sealed record MonitoringRunResponse(
    string RunId,
    bool Joined,
    DateTimeOffset WindowStartUtc,
    DateTimeOffset WindowEndUtc,
    IReadOnlyList<ReportSummaryResponse> Reports,
    int AlertsDelivered,
    IReadOnlyList<string> Skipped);

/// <summary>A model's report summaries, newest first.</summary>
public sealed record ReportListResponse(string ModelName, IReadOnlyList<ReportSummaryResponse> Reports);

/// <summary>
/// One report's summary, where its JSON and HTML are stored, and its window's service figures from the inference log
/// (<c>requests</c>, <c>error_rate</c> as a share, <c>latency_p95_ms</c>, then <c>errors</c>, <c>latency_p50_ms</c> and
/// <c>latency_p99_ms</c>; null for reports stored before summaries carried them).
/// </summary>
public sealed record ReportSummaryResponse(
    string ModelName,
    string Version,
    string RunId,
    DateTimeOffset GeneratedUtc,
    long Rows,
    bool DatasetDrift,
    double DriftShare,
    bool PredictionDrift,
    bool PerformanceDecay,
    int Findings,
    string ReportBlob,
    string PageBlob,
    long? Requests,
    double? ErrorRate,
    double? LatencyP95Ms,
    long? Errors,
    double? LatencyP50Ms,
    double? LatencyP99Ms)
{
    public static ReportSummaryResponse From(ReportSummary r) =>
        new(r.Model, r.Version, r.RunId, r.GeneratedUtc, r.Rows, r.DatasetDrift, r.DriftShare, r.PredictionDrift, r.PerformanceDecay, r.Findings, r.JsonBlob, r.HtmlBlob,
            r.Requests, r.ErrorRate is { } rate ? Math.Round(rate, 6) : null, Ms(r.LatencyP95Ms), r.Errors, Ms(r.LatencyP50Ms), Ms(r.LatencyP99Ms));

    private static double? Ms(double? value) => value is { } ms ? Math.Round(ms, 3) : null;
}

/// <summary>The body of <c>POST monitoring/runs</c>: empty (every monitored model) or one model.</summary>
public sealed record MonitoringRunRequest(string? Model);

/// <summary>One outcome for a logged prediction: the request id it was answered with, the outcome, and the row of a multi-row request (0 by default).</summary>
public sealed record FeedbackItem(string Id, System.Text.Json.JsonElement Actual, int? Row);
