using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Monitoring.Alerts;

/// <summary>
/// The JSON body posted to the webhook for a report with findings (snake_case, <see cref="MonitoringReport.Json"/>):
/// which model version and run, the window, the findings (kind and message; values from traffic in messages are
/// already cut to <see cref="CategoryKeys.MaxShownLength"/> characters), the headline flags, the report's blob
/// path relative to the reports container, and the window's error rate and p95 latency (ms) when it served requests. Nothing else: no storage URLs, connection strings, keys or the webhook's
/// own URL. Immutable.
/// </summary>
public sealed record MonitoringAlert(
    string Kind,
    string Model,
    string Version,
    string RunId,
    DateTimeOffset WindowStartUtc,
    DateTimeOffset WindowEndUtc,
    IReadOnlyList<Finding> Findings,
    bool? DatasetDrift,
    double? DriftShare,
    bool PerformanceDecay,
    string Report,
    double? ErrorRate = null,
    double? LatencyP95Ms = null)
{
    /// <summary>Longest finding message an alert carries.</summary>
    public const int MaxMessageLength = 1_000;

    public static MonitoringAlert From(MonitoringReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new MonitoringAlert(
            "model_monitoring",
            report.Model,
            report.Version,
            report.RunId,
            report.WindowStartUtc,
            report.WindowEndUtc,
            report.Findings.Select(f => f with { Message = f.Message.Length <= MaxMessageLength ? f.Message : f.Message[..(MaxMessageLength - 1)] + "…" }).ToList(),
            report.Drift?.DatasetDrift,
            report.Drift?.DriftShare,
            report.Performance.Decayed,
            $"{report.Model}/{report.Version}/{report.RunId}/report.html",
            report.Service.Requests > 0 ? report.Service.ErrorRate : null,
            report.Service.LatencyP95Ms);
    }
}
