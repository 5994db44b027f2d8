using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Monitoring.Alerts;

/// <summary>
/// The JSON body posted to the webhook for a report with findings: which model version and run, the window, the
/// findings (kind and message; values from traffic in messages are already cut to
/// <see cref="CategoryKeys.MaxShownLength"/> characters), the headline flags and the report's blob path relative to
/// the reports container. Nothing else: no storage URLs, connection strings, keys or the webhook's own URL. Pure;
/// thread-safe.
/// </summary>
public static class MonitoringAlert
{
    /// <summary>Longest finding message an alert carries.</summary>
    public const int MaxMessageLength = 1_000;

    public static object From(MonitoringReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            kind = "model_monitoring",
            model = report.Model,
            version = report.Version,
            run_id = report.RunId,
            window_start_utc = report.WindowStartUtc,
            window_end_utc = report.WindowEndUtc,
            findings = report.Findings.Select(f => new { kind = f.Kind, message = f.Message.Length <= MaxMessageLength ? f.Message : f.Message[..(MaxMessageLength - 1)] + "…" }),
            dataset_drift = report.Drift?.DatasetDrift,
            drift_share = report.Drift?.DriftShare,
            performance_decay = report.Performance.Decayed,
            report = $"{report.Model}/{report.Version}/{report.RunId}/report.html",
        };
    }
}
