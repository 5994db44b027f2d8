using System.ComponentModel.DataAnnotations;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Storage;

namespace Serverless.Core.Monitoring;

/// <summary>
/// Settings of model monitoring (configuration section <c>Monitoring</c>). The timer's schedule is the app setting
/// <c>MonitoringSchedule</c> (NCRONTAB, default hourly), read by the trigger binding itself.
/// </summary>
public sealed class MonitoringOptions : IValidatableObject
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

    /// <summary>
    /// Per numeric feature (and for request latencies), the drift tests and percentiles run on a uniform sample of at
    /// most this many of the window's values; counts, missing values and ranges stay exact. 100,000 values are 1.6 MB
    /// per feature (value and priority) and put the sampling error of a normalised Wasserstein distance near 0.003,
    /// far below its 0.1 threshold; a KS test against a 1,000-value baseline sample barely changes past 10,000.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int MaxSampleRows { get; set; } = 100_000;

    /// <summary>
    /// Per categorical feature, at most this many distinct categories beyond the baseline's own are counted one by one;
    /// values of further categories are counted together as one other category (at most ~0.5 MB per feature with
    /// 256-character keys).
    /// </summary>
    [Range(10, 100_000)]
    public int MaxCategories { get; set; } = 1_000;

    /// <summary>At most this many outcomes received in the window are joined with predictions (a uniform sample beyond), and at most this many labelled rows scored.</summary>
    [Range(1_000, 10_000_000)]
    public int MaxFeedbackRows { get; set; } = 100_000;

    /// <summary>
    /// Feedback is matched with the window's logged predictions when it arrives (<see cref="Feedback.FeedbackMatcher"/>): at most this
    /// many logged requests are searched per call (about 10 bytes read each, so the default reads at most ~10 MB); past
    /// it the answer's <c>matched</c> is null (unknown) unless every item matched first. 0 turns matching off.
    /// </summary>
    [Range(0, 1_000_000_000)]
    public long FeedbackMatchMaxRequests { get; set; } = 1_000_000;

    /// <summary>
    /// A version with no baseline takes its own first traffic as its reference: the traffic of this many hours from
    /// the first request the monitor saw (fractions allowed) is captured, once they have passed, and stored as the
    /// version's baseline (replace it by uploading one); later traffic is judged against it. 0 turns capture off.
    /// </summary>
    [Range(0.0, 24 * 90)]
    public double ReferenceWindowHours { get; set; } = 24;

    /// <summary>At most this many features of a version without a manifest are captured in a traffic reference (the first logged ones).</summary>
    [Range(1, 10_000)]
    public int MaxReferenceFeatures { get; set; } = 100;

    /// <summary>Service findings: a share of failed requests above this (with at least <see cref="MinimumWindowRows"/> requests).</summary>
    [Range(0.0, 1.0)]
    public double ErrorRateThreshold { get; set; } = ServiceThresholds.DefaultErrorRate;

    /// <summary>Service findings: a p95 request latency above this many milliseconds; 0 turns it off.</summary>
    [Range(0.0, 3_600_000.0)]
    public double LatencyP95ThresholdMs { get; set; } = ServiceThresholds.DefaultLatencyP95Ms;

    /// <summary>Service findings: an error rate higher than the previous window's by more than this (absolute, 0.05 = 5 points); 0 turns it off.</summary>
    [Range(0.0, 1.0)]
    public double ErrorRateIncrease { get; set; } = ServiceThresholds.DefaultErrorRateIncrease;

    /// <summary>
    /// Service findings: a p95 latency more than this many times the previous window's (and at least
    /// <see cref="MinimumLatencyIncreaseMs"/> higher); 0 turns it off.
    /// </summary>
    [Range(0.0, 1_000.0)]
    public double LatencyIncreaseFactor { get; set; } = ServiceThresholds.DefaultLatencyIncreaseFactor;

    /// <summary>The least rise in p95 latency (ms) over the previous window that counts as a slowdown, so that 1 ms becoming 3 ms is not one.</summary>
    [Range(0.0, 3_600_000.0)]
    public double MinimumLatencyIncreaseMs { get; set; } = ServiceThresholds.DefaultMinimumLatencyIncreaseMs;

    /// <summary>Per model (name, case-insensitive): service thresholds that override the ones above (<c>Monitoring:Models:{model}:LatencyP95ThresholdMs</c>, …).</summary>
    public Dictionary<string, ServiceThresholdOverrides> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Optional: findings are POSTed here as JSON (retried; a failing webhook never fails the run). Empty: no webhook.
    /// Must be https; http only for a loopback host (localhost, 127.0.0.0/8, ::1). Redirects are not followed.
    /// </summary>
    [WebhookUrl]
    public string? WebhookUrl { get; set; }

    [Range(1, 10)]
    public int WebhookAttempts { get; set; } = 3;

    /// <summary>Each webhook attempt is abandoned after this many seconds.</summary>
    [Range(1, 120)]
    public int WebhookTimeoutSeconds { get; set; } = 10;

    /// <summary>Blob container of the JSON and HTML reports.</summary>
    [Required, ContainerName]
    public string ReportsContainer { get; set; } = "monitoring";

    /// <summary>Table of report summaries (one row per model version per run).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string ReportsTable { get; set; } = "monitoringreports";

    /// <summary>The service thresholds that apply to <paramref name="model"/>: its overrides, else the defaults above.</summary>
    public ServiceThresholds ServiceThresholdsFor(string model)
    {
        var o = Models.GetValueOrDefault(model);
        return new ServiceThresholds(o?.ErrorRateThreshold ?? ErrorRateThreshold, o?.LatencyP95ThresholdMs ?? LatencyP95ThresholdMs,
            o?.ErrorRateIncrease ?? ErrorRateIncrease, o?.LatencyIncreaseFactor ?? LatencyIncreaseFactor,
            o?.MinimumLatencyIncreaseMs ?? MinimumLatencyIncreaseMs);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (model, overrides) in Models)
        {
            foreach (var problem in overrides?.Problems() ?? [])
            {
                yield return new ValidationResult($"{SectionName}:Models:{model}:{problem}", [nameof(Models)]);
            }
        }

        if (MinimumFeedbackRows > MaxFeedbackRows)
        {
            yield return new ValidationResult(
                $"{SectionName}:MinimumFeedbackRows ({MinimumFeedbackRows}) must not exceed {SectionName}:MaxFeedbackRows ({MaxFeedbackRows}), or performance is never judged.",
                [nameof(MinimumFeedbackRows), nameof(MaxFeedbackRows)]);
        }
    }
}
