using System.Globalization;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Reports;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Judges one model version over one window of logged rows: input drift against its reference (the drift engine, with
/// the monitoring options), prediction drift (when the reference holds predictions), data quality, service health
/// against the model's thresholds and the previous window, prediction-output statistics, live performance from
/// feedback, and the findings that follow. A version without a reference gets the service, output and performance
/// parts. Pure; thread-safe.
/// </summary>
public static class VersionMonitor
{
    /// <summary>Error rates above this (with enough requests) are a finding unless the options say otherwise.</summary>
    public const double ErrorRateAlert = ServiceThresholds.DefaultErrorRate;

    /// <summary>Unseen categories or out-of-range values above this share of a feature's values are a finding.</summary>
    public const double QualityAlert = 0.05;

    /// <summary>
    /// Judges a window given as a list (see <see cref="WindowAccumulator"/> to judge one record by record), within
    /// the options' <see cref="WindowLimits"/>, sampling with <paramref name="seed"/>. <paramref name="baseline"/> null:
    /// no reference (service, outputs and performance only).
    /// </summary>
    public static MonitoringReport Evaluate(string runId, string model, string version, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        IReadOnlyList<InferenceLogRecord> records, DatasetBaseline? baseline, ModelManifest? manifest,
        IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> feedback, MonitoringOptions options, ulong seed = 0, PreviousWindow? previous = null)
    {
        var window = new WindowAccumulator(baseline, manifest, new FeedbackWindow(feedback), WindowLimits.From(options), new RowSampler(seed));
        foreach (var record in records)
        {
            window.Add(record);
        }

        return window.Build(runId, model, version, from, to, now, options, previous: previous);
    }

    /// <summary>The report from a window's figures.</summary>
    internal static MonitoringReport Report(string runId, string model, string version, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        WindowFigures window, DatasetBaseline? baseline, ModelManifest? manifest, MonitoringOptions options, WindowSampling sampling, ReferenceInfo reference)
    {
        var driftOptions = new DriftOptions
        {
            DriftShareThreshold = options.DriftShare,
            MinimumCurrentRows = options.MinimumWindowRows,
            BenjaminiHochberg = options.BenjaminiHochberg,
        };
        var rows = window.DriftRows;
        var current = window.Current;
        var columns = current.Select(c => c.Column).ToList();
        var drift = rows == 0 || baseline is null ? null : DriftEngine.Compare(BaselineReference.Columns(baseline), columns, baseline.Rows, rows, driftOptions);
        var predictionDrift = rows == 0 || window.Predictions is null || baseline?.Predictions is not { } predicted
            ? null
            : DriftEngine.Compare(BaselineReference.Columns(new DatasetBaseline { Rows = predicted.Count, Features = [predicted] }), [window.Predictions.Column], predicted.Count, rows,
                driftOptions with { Overrides = new Dictionary<string, FeatureDriftOverride>() }).Features[0];
        var quality = baseline?.Features.Select((f, i) => WindowColumns.Quality(f, current[i], rows)).ToList() ?? [];
        var validation = baseline?.ValidationMetrics ?? new Dictionary<string, double>();
        var performance = manifest is null
            ? new LivePerformance(0, null, new Dictionary<string, double>(), validation, false,
                "the version has no manifest, so outcomes cannot be matched to predictions")
            : LivePerformanceCalculator.Compute(window.Labelled, manifest, baseline?.ValidationMetrics, options.PerformanceMargin, options.MinimumFeedbackRows);
        var service = window.Service;

        return new MonitoringReport
        {
            RunId = runId,
            Model = model,
            Version = version,
            WindowStartUtc = from,
            WindowEndUtc = to,
            GeneratedUtc = now,
            Rows = window.Rows,
            MirrorRows = window.MirrorRows == 0 ? null : window.MirrorRows,
            Reference = reference,
            Drift = drift,
            PredictionDrift = predictionDrift,
            DataQuality = quality,
            Service = service,
            Outputs = window.Outputs,
            Inputs = window.Inputs.Count == 0 ? null : window.Inputs,
            Performance = performance,
            Judged = window.Judged,
            Findings = [.. Findings(drift, predictionDrift, quality, performance), .. ServiceFindings(service, options.ServiceThresholdsFor(model), options.MinimumWindowRows)],
            Histograms = baseline?.Features.Select((f, i) => DriftHistograms.FromBaseline(f, current[i].Column, current[i].BinCounts)).OfType<FeatureHistogram>().ToList() ?? [],
            Sampling = sampling,
        };
    }

    private static List<Finding> Findings(DriftReport? drift, FeatureDrift? predictionDrift, IReadOnlyList<FeatureQuality> quality, LivePerformance performance)
    {
        var findings = new List<Finding>();
        if (drift is { DatasetDrift: true })
        {
            findings.Add(new Finding("data_drift",
                $"{drift.DriftedCount} of {drift.Features.Count} features drifted ({drift.DriftShare:P0} ≥ {drift.Options.DriftShareThreshold:P0}): " +
                string.Join(", ", drift.Features.Where(f => f.Drifted).Select(f => f.Name))));
        }

        if (predictionDrift is { Drifted: true })
        {
            findings.Add(new Finding("prediction_drift", $"predictions drifted ({predictionDrift.Method} {predictionDrift.Statistic:G4})"));
        }

        if (performance.Decayed)
        {
            findings.Add(new Finding("performance_decay", performance.Note ?? "live performance decayed"));
        }

        foreach (var feature in quality.Where(q => q.UnseenCategoryRate > QualityAlert || q.OutOfRangeRate > QualityAlert))
        {
            findings.Add(new Finding("data_quality", feature.UnseenCategoryRate > QualityAlert
                ? $"{feature.Name}: {feature.UnseenCategoryRate:P1} of values are categories the baseline never saw ({string.Join(", ", feature.UnseenCategories)})"
                : $"{feature.Name}: {feature.OutOfRangeRate:P1} of values are outside the baseline's range"));
        }

        return findings;
    }

    /// <summary>
    /// Errors and latency against the thresholds, and against the previous window: only with at least
    /// <paramref name="minimumRequests"/> requests in the window (and in the previous one, to compare with it).
    /// </summary>
    public static IReadOnlyList<Finding> ServiceFindings(ServiceHealth service, ServiceThresholds thresholds, int minimumRequests)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(thresholds);
        var findings = new List<Finding>();
        if (service.Requests < minimumRequests)
        {
            return findings;
        }

        if (service.ErrorRate > thresholds.ErrorRate)
        {
            findings.Add(new Finding("errors", string.Create(CultureInfo.InvariantCulture,
                $"{service.Errors} of {service.Requests} requests failed ({service.ErrorRate:P1} > {thresholds.ErrorRate:P1}){ByStatus(service)}{ByApi(service, a => a.Errors > 0, a => $"{a.Errors} of {a.Requests}")}")));
        }

        if (thresholds.LatencyP95Ms > 0 && service.LatencyP95Ms > thresholds.LatencyP95Ms)
        {
            findings.Add(new Finding("latency", string.Create(CultureInfo.InvariantCulture,
                $"p95 latency {service.LatencyP95Ms:0.#} ms > {thresholds.LatencyP95Ms:0.#} ms{ByApi(service, a => a.LatencyP95Ms is not null, a => $"p95 {a.LatencyP95Ms:0.#} ms")}")));
        }

        if (service.Previous is not { } previous || previous.Requests < minimumRequests)
        {
            return findings;
        }

        if (thresholds.ErrorRateIncrease > 0 && service.ErrorRate - previous.ErrorRate > thresholds.ErrorRateIncrease)
        {
            findings.Add(new Finding("error_rate_increase", string.Create(CultureInfo.InvariantCulture,
                $"error rate {service.ErrorRate:P1}, up from {previous.ErrorRate:P1} in the previous window (run {previous.RunId}){ByStatus(service)}")));
        }

        if (thresholds.LatencyIncreaseFactor > 0 && service.LatencyP95Ms is { } p95 && previous.LatencyP95Ms is { } before && before > 0 &&
            p95 > before * thresholds.LatencyIncreaseFactor && p95 - before >= thresholds.MinimumLatencyIncreaseMs)
        {
            findings.Add(new Finding("latency_increase", string.Create(CultureInfo.InvariantCulture,
                $"p95 latency {p95:0.#} ms, {p95 / before:0.#}× the previous window's {before:0.#} ms (run {previous.RunId})")));
        }

        return findings;
    }

    private static string ByStatus(ServiceHealth service) => service.ErrorsByStatus is { Count: > 0 } statuses
        ? " — by status: " + string.Join(", ", statuses.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}: {s.Value}")))
        : "";

    private static string ByApi(ServiceHealth service, Func<ApiHealth, bool> include, Func<ApiHealth, string> describe) => service.Apis is { Count: > 1 } apis
        ? " — by API: " + string.Join(", ", apis.Where(include).Select(a => $"{a.Api} {describe(a)}"))
        : "";
}
