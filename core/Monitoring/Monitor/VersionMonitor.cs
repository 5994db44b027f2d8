using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Reports;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Judges one model version over one window of logged rows against its baseline: input drift (the drift engine,
/// with the monitoring options), prediction drift (when the baseline holds the model's validation predictions),
/// data quality, service health, live performance from feedback, and the findings that follow. Pure; thread-safe.
/// </summary>
public static class VersionMonitor
{
    /// <summary>Error rates above this (with enough requests) are a finding.</summary>
    public const double ErrorRateAlert = 0.05;

    /// <summary>Unseen categories or out-of-range values above this share of a feature's values are a finding.</summary>
    public const double QualityAlert = 0.05;

    /// <summary>
    /// Judges a window given as a list (see <see cref="WindowAccumulator"/> to judge one record by record), within
    /// the options' <see cref="WindowLimits"/>, sampling with <paramref name="seed"/>.
    /// </summary>
    public static MonitoringReport Evaluate(string runId, string model, string version, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        IReadOnlyList<InferenceLogRecord> records, DatasetBaseline baseline, ModelManifest? manifest,
        IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> feedback, MonitoringOptions options, ulong seed = 0)
    {
        var window = new WindowAccumulator(baseline, manifest, new FeedbackWindow(feedback), WindowLimits.From(options), new RowSampler(seed));
        foreach (var record in records)
        {
            window.Add(record);
        }

        return window.Build(runId, model, version, from, to, now, options);
    }

    /// <summary>The report from a window's accumulated columns, service figures and labelled rows.</summary>
    internal static MonitoringReport Report(string runId, string model, string version, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        long rows, IReadOnlyList<WindowColumn> current, WindowColumn? predictions, ServiceHealth service, IReadOnlyList<LabelledPrediction> labelled,
        DatasetBaseline baseline, ModelManifest? manifest, MonitoringOptions options, WindowSampling sampling)
    {
        var driftOptions = new DriftOptions
        {
            DriftShareThreshold = options.DriftShare,
            MinimumCurrentRows = options.MinimumWindowRows,
            BenjaminiHochberg = options.BenjaminiHochberg,
        };
        var columns = current.Select(c => c.Column).ToList();
        var drift = rows == 0 ? null : DriftEngine.Compare(BaselineReference.Columns(baseline), columns, baseline.Rows, rows, driftOptions);
        var predictionDrift = rows == 0 || predictions is null || baseline.Predictions is not { } reference
            ? null
            : DriftEngine.Compare(BaselineReference.Columns(new DatasetBaseline { Rows = reference.Count, Features = [reference] }), [predictions.Column], reference.Count, rows,
                driftOptions with { Overrides = new Dictionary<string, FeatureDriftOverride>() }).Features[0];
        var quality = baseline.Features.Select((f, i) => WindowColumns.Quality(f, current[i], rows)).ToList();
        var performance = manifest is null
            ? new LivePerformance(0, null, new Dictionary<string, double>(), baseline.ValidationMetrics ?? new Dictionary<string, double>(), false,
                "the version has no manifest, so outcomes cannot be matched to predictions")
            : LivePerformanceCalculator.Compute(labelled, manifest, baseline.ValidationMetrics, options.PerformanceMargin, options.MinimumFeedbackRows);

        return new MonitoringReport
        {
            RunId = runId,
            Model = model,
            Version = version,
            WindowStartUtc = from,
            WindowEndUtc = to,
            GeneratedUtc = now,
            Rows = rows,
            Drift = drift,
            PredictionDrift = predictionDrift,
            DataQuality = quality,
            Service = service,
            Performance = performance,
            Findings = Findings(drift, predictionDrift, quality, service, performance, options),
            Histograms = baseline.Features.Select((f, i) => DriftHistograms.FromBaseline(f, current[i].Column, current[i].BinCounts)).OfType<FeatureHistogram>().ToList(),
            Sampling = sampling,
        };
    }

    private static IReadOnlyList<Finding> Findings(DriftReport? drift, FeatureDrift? predictionDrift, IReadOnlyList<FeatureQuality> quality, ServiceHealth service,
        LivePerformance performance, MonitoringOptions options)
    {
        var findings = new List<Finding>();
        if (drift is { DatasetDrift: true })
        {
            findings.Add(new Finding("data_drift",
                $"{drift.DriftedCount} of {drift.Features.Count} features drifted ({drift.DriftShare:P0} ≥ {options.DriftShare:P0}): " +
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

        if (service.Requests >= options.MinimumWindowRows && service.ErrorRate > ErrorRateAlert)
        {
            findings.Add(new Finding("errors", $"{service.Errors} of {service.Requests} requests failed ({service.ErrorRate:P1})"));
        }

        return findings;
    }
}
