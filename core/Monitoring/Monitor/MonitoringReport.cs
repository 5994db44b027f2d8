using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Reports;
using Serverless.Core.Monitoring.Variants;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// One monitoring run's verdict on one model version over one window, whichever API its traffic came through: what it
/// was judged against (<see cref="Reference"/>), input drift per feature (and for the dataset), prediction drift, data
/// quality, service health (in all and per API), prediction-output statistics, summaries of non-tabular inputs and,
/// when ground truth arrived, live performance against the validation metrics recorded at training; how many rows
/// each test judged; plus the findings that raise alerts, and the model's variants (split aliases side by side, mirror
/// agreement) when it has any. A version without a reference has no drift, data quality or histograms. Immutable; JSON
/// snake_case (<c>report.json</c>).
/// </summary>
public sealed record MonitoringReport
{
    public required string RunId { get; init; }

    public required string Model { get; init; }

    public required string Version { get; init; }

    public required DateTimeOffset WindowStartUtc { get; init; }

    public required DateTimeOffset WindowEndUtc { get; init; }

    public required DateTimeOffset GeneratedUtc { get; init; }

    /// <summary>Predicted rows in the window (failed requests excluded), mirror rows included.</summary>
    public required long Rows { get; init; }

    /// <summary>
    /// Of <see cref="Rows"/>, those the version scored as mirror (shadow) copies of requests another version answered:
    /// counted in drift, outputs and performance, left out of <see cref="Service"/> (off the request path). Null when none.
    /// </summary>
    public long? MirrorRows { get; init; }

    /// <summary>What drift was judged against; null in reports written before versions without a baseline were reported.</summary>
    public ReferenceInfo? Reference { get; init; }

    /// <summary>Null when the window had no rows to compare or the version has no reference yet.</summary>
    public DriftReport? Drift { get; init; }

    public FeatureDrift? PredictionDrift { get; init; }

    public required IReadOnlyList<FeatureQuality> DataQuality { get; init; }

    /// <summary>The requests callers sent the version (mirror copies, off the request path, left out: see <see cref="MirrorRows"/>).</summary>
    public required ServiceHealth Service { get; init; }

    /// <summary>What the version predicted in the window (null in older reports).</summary>
    public OutputStatistics? Outputs { get; init; }

    /// <summary>Per input, the non-tabular tensors of the window (null when there were none).</summary>
    public IReadOnlyList<TensorInputSummary>? Inputs { get; init; }

    public required LivePerformance Performance { get; init; }

    /// <summary>
    /// Per test (<c>service</c>: requests; <c>data_drift</c>, <c>prediction_drift</c>: rows; <c>performance</c>: labelled
    /// rows), how many the test judged, in all and per API (<c>predict</c>, <c>infer</c>). Null in older reports.
    /// </summary>
    public IReadOnlyList<JudgedRows>? Judged { get; init; }

    /// <summary>Why the run raised alerts; empty when all is well.</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>Per feature: reference vs current counts on the baseline's bins or categories (for the charts).</summary>
    public required IReadOnlyList<FeatureHistogram> Histograms { get; init; }

    /// <summary>The run's memory bounds and what they sampled; null in reports written before the monitor sampled.</summary>
    public WindowSampling? Sampling { get; init; }

    /// <summary>
    /// The model's variants in the window (the same in every report of the model's run): the versions of each split alias
    /// side by side with significance tests against the champion, and mirror agreement. Null when the model has neither.
    /// </summary>
    public VariantsReport? Variants { get; init; }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}

/// <summary>
/// Data quality of one feature in the window, beside the baseline's; exact over the window. <see cref="UnseenCategories"/>:
/// up to 10 examples, most frequent first, each cut to 40 characters. <see cref="PooledValues"/>: values counted in the
/// <c>__other__</c> bucket because the window had more new categories than <c>Monitoring:MaxCategories</c>.
/// </summary>
public sealed record FeatureQuality(
    string Name,
    string Type,
    double MissingRate,
    double BaselineMissingRate,
    double OutOfRangeRate,
    double UnseenCategoryRate,
    IReadOnlyList<string> UnseenCategories,
    long PooledValues = 0);

/// <summary>
/// How a run kept its memory bounded (<see cref="WindowLimits"/>, from the <c>Monitoring</c> settings) and where that
/// meant sampling. <see cref="Seed"/> (16 hex digits) keys the row hash that chose every sample, so the same seed over
/// the same window gives the same report. Requests and errors are counted exactly; the latency percentiles come from
/// <see cref="LatencySample"/> requests. Of <see cref="FeedbackReceived"/> outcomes received in the window,
/// <see cref="FeedbackKept"/> were joined; <see cref="LabelledMatched"/> logged rows matched one, of which at most
/// <see cref="MaxFeedbackRows"/> (<see cref="LivePerformance.LabelledRows"/>) were scored. Per feature,
/// <see cref="Drift.FeatureDrift.CurrentSample"/> and <see cref="FeatureQuality.PooledValues"/> say what was sampled
/// or pooled. Immutable.
/// </summary>
public sealed record WindowSampling(
    string Seed,
    int MaxSampleRows,
    int MaxCategories,
    int MaxFeedbackRows,
    long LatencySample,
    long FeedbackReceived,
    long FeedbackKept,
    long LabelledMatched);

/// <summary>
/// Live performance from feedback joined to logged predictions by request id and row: every metric of the task on
/// the labelled rows, the training-time validation metrics, and whether the primary metric decayed beyond the margin.
/// </summary>
public sealed record LivePerformance(
    long LabelledRows,
    string? Metric,
    IReadOnlyDictionary<string, double> Live,
    IReadOnlyDictionary<string, double> Validation,
    bool Decayed,
    string? Note);

/// <summary>
/// Something a person should look at: <c>data_drift</c>, <c>prediction_drift</c>, <c>performance_decay</c>,
/// <c>data_quality</c>, or a service finding: <c>errors</c> and <c>latency</c> (above the model's thresholds),
/// <c>error_rate_increase</c> and <c>latency_increase</c> (against the previous window).
/// </summary>
public sealed record Finding(string Kind, string Message);
