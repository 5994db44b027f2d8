using System.Globalization;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Tabular;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// One model version's window, taken record by record so a monitor run never holds the window's records: per
/// baseline feature a <see cref="ColumnAccumulator"/>, the prediction column (when the baseline has validation
/// predictions), each request's latency and error flag, and only the rows that have feedback. Records may come in
/// any order. <see cref="Build"/> gives the same report <see cref="VersionMonitor.Evaluate"/> gives for the same
/// records. Not thread-safe.
/// </summary>
public sealed class WindowAccumulator
{
    private readonly DatasetBaseline _baseline;
    private readonly ModelManifest? _manifest;
    private readonly IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> _feedback;
    private readonly ColumnAccumulator[] _features;
    private readonly bool[] _numeric;
    private readonly ColumnAccumulator? _predictions;
    private readonly bool _predictionsNumeric;
    private readonly Dictionary<string, (double LatencyMs, bool Error)> _requests = new(StringComparer.Ordinal);
    private readonly List<InferenceLogRecord> _labelled = [];

    public WindowAccumulator(DatasetBaseline baseline, ModelManifest? manifest, IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> feedback)
    {
        _baseline = baseline;
        _manifest = manifest;
        _feedback = feedback;
        _numeric = baseline.Features.Select(f => f.Type == "numeric").ToArray();
        _features = baseline.Features.Select((f, i) => new ColumnAccumulator(f.Name, _numeric[i])).ToArray();
        if (baseline.Predictions is { } reference && manifest is not null)
        {
            _predictionsNumeric = reference.Type == "numeric";
            _predictions = new ColumnAccumulator(reference.Name, _predictionsNumeric);
        }
    }

    /// <summary>Rows served (records that are not errors).</summary>
    public int Rows { get; private set; }

    public void Add(InferenceLogRecord record)
    {
        // A request's records share its latency and status.
        _requests.TryAdd(record.RequestId, (record.LatencyMs, record.IsError));

        if (record.IsError || record.Row < 0)
        {
            return;
        }

        Rows++;
        var features = _baseline.Features;
        for (var f = 0; f < _features.Length; f++)
        {
            var value = record.Features.TryGetValue(features[f].Name, out var logged) ? logged : default;
            if (_numeric[f])
            {
                _features[f].AddNumber(WindowColumns.Number(value));
            }
            else
            {
                _features[f].AddCategory(WindowColumns.Text(value));
            }
        }

        if (_predictions is not null)
        {
            AddPrediction(record);
        }

        if (_feedback.Count > 0 && _feedback.ContainsKey((record.RequestId, record.Row)))
        {
            _labelled.Add(record);
        }
    }

    public MonitoringReport Build(string runId, string model, string version, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, MonitoringOptions options) =>
        VersionMonitor.Report(runId, model, version, from, to, now, Rows, _features.Select(c => c.Build()).ToList(), _predictions?.Build(), Service(),
            _labelled, _baseline, _manifest, _feedback, options);

    /// <summary>Binary: the positive probability; regression: the value; multiclass: the label (as a category).</summary>
    private void AddPrediction(InferenceLogRecord record)
    {
        var number = PredictionValues.Number(record, _manifest!);
        if (_predictionsNumeric)
        {
            _predictions!.AddNumber(number);
        }
        else
        {
            _predictions!.AddCategory(_manifest!.Task == TabularTask.Multiclass ? record.Label : number?.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private ServiceHealth Service()
    {
        var errors = _requests.Values.Count(r => r.Error);
        var latencies = _requests.Values.Select(r => r.LatencyMs).Order().ToArray();
        return new ServiceHealth(_requests.Count, errors, _requests.Count == 0 ? 0 : (double)errors / _requests.Count,
            Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99));
    }

    /// <summary>Nearest-rank percentile of an ascending array; null when empty.</summary>
    private static double? Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
