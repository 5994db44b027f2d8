using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Monitoring;

/// <summary>
/// Settings of model monitoring (configuration section <c>Monitoring</c>). The timer's schedule is the app setting
/// <c>MonitoringSchedule</c> (NCRONTAB, default hourly), read by the trigger binding itself.
/// </summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Monitoring";
    public const string ScheduleSetting = "MonitoringSchedule";
    public const string DefaultSchedule = "0 0 * * * *";

    /// <summary>How far back each run looks, in hours (the current window).</summary>
    [Range(1, 24 * 90)]
    public int WindowHours { get; set; } = 24;

    /// <summary>Below this many rows in the window a feature is not judged (reported as too small).</summary>
    [Range(1, 1_000_000)]
    public int MinimumWindowRows { get; set; } = 30;

    /// <summary>Dataset drift when at least this share of features drifted.</summary>
    [Range(0.0, 1.0)]
    public double DriftShare { get; set; } = 0.5;

    /// <summary>Correct p-values for testing many features at once (Benjamini–Hochberg).</summary>
    public bool BenjaminiHochberg { get; set; } = true;

    /// <summary>A live metric worse than the validation metric by more than this (metric units) is performance decay.</summary>
    [Range(0.0, 1_000_000.0)]
    public double PerformanceMargin { get; set; } = 0.05;

    /// <summary>Fewer labelled predictions than this and live performance is not judged.</summary>
    [Range(1, 1_000_000)]
    public int MinimumFeedbackRows { get; set; } = 30;

    /// <summary>Optional: findings are POSTed here as JSON (retried; a failing webhook never fails the run). Empty: no webhook.</summary>
    [RegularExpression("^(https?://.+)?$", ErrorMessage = "Monitoring:WebhookUrl must be an http(s) URL or empty.")]
    public string? WebhookUrl { get; set; }

    [Range(1, 10)]
    public int WebhookAttempts { get; set; } = 3;

    /// <summary>Blob container of the JSON and HTML reports.</summary>
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    public string ReportsContainer { get; set; } = "monitoring";

    /// <summary>Table of report summaries (one row per model version per run).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string ReportsTable { get; set; } = "monitoringreports";
}
