using System.Globalization;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// One model version's window, taken record by record in memory bounded by <see cref="WindowLimits"/> whatever the
/// traffic: per baseline feature a <see cref="ColumnAccumulator"/>, the prediction column (when the baseline has
/// validation predictions), request and error counts with a sample of request latencies, and a sample of the rows
/// that have an outcome (reduced to <see cref="LabelledPrediction"/>). Samples are chosen by each row's
/// <see cref="RowSampler"/> priority, so records may come in any order and give the same report. A request is
/// counted by its first record (row 0, or row -1 for a failure). <see cref="Build"/> gives the same report
/// <see cref="VersionMonitor.Evaluate"/> gives for the same records. Not thread-safe.
/// </summary>
public sealed class WindowAccumulator
{
    private readonly DatasetBaseline _baseline;
    private readonly ModelManifest? _manifest;
    private readonly FeedbackWindow _feedback;
    private readonly WindowLimits _limits;
    private readonly RowSampler _sampler;
    private readonly ColumnAccumulator[] _features;
    private readonly ColumnAccumulator? _predictions;
    private readonly PrioritySample<double> _latencies;
    private readonly PrioritySample<LabelledPrediction> _labelled;
    private long _requests;
    private long _errors;

    public WindowAccumulator(DatasetBaseline baseline, ModelManifest? manifest, IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> feedback)
        : this(baseline, manifest, new FeedbackWindow(feedback), WindowLimits.Default, new RowSampler(0))
    {
    }

    public WindowAccumulator(DatasetBaseline baseline, ModelManifest? manifest, FeedbackWindow feedback, WindowLimits limits, RowSampler sampler)
    {
        _baseline = baseline;
        _manifest = manifest;
        _feedback = feedback;
        _limits = limits;
        _sampler = sampler;
        _features = baseline.Features.Select(f => new ColumnAccumulator(f, limits)).ToArray();
        if (baseline.Predictions is { } reference && manifest is not null)
        {
            _predictions = new ColumnAccumulator(reference, limits);
        }

        _latencies = new PrioritySample<double>(limits.MaxSampleRows);
        _labelled = new PrioritySample<LabelledPrediction>(limits.MaxFeedbackRows);
    }

    /// <summary>Rows served (records that are not errors).</summary>
    public long Rows { get; private set; }

    /// <summary>The feature columns being built (for tests and diagnostics).</summary>
    internal IReadOnlyList<ColumnAccumulator> Features => _features;

    /// <summary>Request latencies held for the percentiles.</summary>
    internal int LatenciesHeld => _latencies.Count;

    /// <summary>Labelled rows held for live performance.</summary>
    internal int LabelledHeld => _labelled.Count;

    public void Add(InferenceLogRecord record)
    {
        var priority = _sampler.Priority(record.RequestId, record.Row, record.TimestampUtc.UtcTicks);
        if (record.Row <= 0)
        {
            // A request's records share its latency and status; its first record stands for it.
            _requests++;
            _errors += record.IsError ? 1 : 0;
            _latencies.Add(priority, record.LatencyMs);
        }

        if (record.IsError || record.Row < 0)
        {
            return;
        }

        Rows++;
        foreach (var feature in _features)
        {
            var value = record.Features.TryGetValue(feature.Name, out var logged) ? logged : default;
            if (feature.IsNumeric)
            {
                feature.AddNumber(WindowColumns.Number(value), priority);
            }
            else
            {
                feature.AddCategory(WindowColumns.Text(value));
            }
        }

        if (_manifest is null)
        {
            return;
        }

        if (_predictions is not null)
        {
            AddPrediction(record, priority);
        }

        if (_feedback.Records.Count > 0 && _feedback.Records.TryGetValue((record.RequestId, record.Row), out var outcome))
        {
            var probability = _manifest.Task == TabularTask.Binary ? PredictionValues.PositiveProbability(record, _manifest) : null;
            _labelled.Add(priority, new LabelledPrediction(outcome.Actual, record.Label, record.Value, probability));
        }
    }

    public MonitoringReport Build(string runId, string model, string version, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, MonitoringOptions options)
    {
        var sampling = new WindowSampling(_sampler.Seed.ToString("x16", CultureInfo.InvariantCulture), _limits.MaxSampleRows, _limits.MaxCategories,
            _limits.MaxFeedbackRows, _latencies.Count, _feedback.Received, _feedback.Records.Count, _labelled.Offered);
        return VersionMonitor.Report(runId, model, version, from, to, now, Rows, _features.Select(c => c.Build()).ToList(), _predictions?.Build(), Service(),
            _labelled.ToArray(), _baseline, _manifest, options, sampling);
    }

    /// <summary>Binary: the positive probability; regression: the value; multiclass: the label (as a category).</summary>
    private void AddPrediction(InferenceLogRecord record, ulong priority)
    {
        var number = PredictionValues.Number(record, _manifest!);
        if (_predictions!.IsNumeric)
        {
            _predictions.AddNumber(number, priority);
        }
        else
        {
            _predictions.AddCategory(_manifest!.Task == TabularTask.Multiclass ? record.Label : number?.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private ServiceHealth Service()
    {
        var latencies = _latencies.ToArray();
        Array.Sort(latencies);
        return new ServiceHealth(_requests, _errors, _requests == 0 ? 0 : (double)_errors / _requests,
            Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99));
    }

    /// <summary>Nearest-rank percentile of an ascending array; null when empty.</summary>
    private static double? Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
