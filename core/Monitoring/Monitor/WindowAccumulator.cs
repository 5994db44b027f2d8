using System.Globalization;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Variants;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// One model version's window, taken record by record or a decoded block at a time (<see cref="InferenceLogColumns"/>,
/// the same figures either way) in memory bounded by <see cref="WindowLimits"/> whatever the
/// traffic: the service figures (<see cref="ServiceAccumulator"/>), the prediction-output statistics
/// (<see cref="OutputAccumulator"/>) and the non-tabular inputs' summaries (<see cref="TensorInputAccumulator"/>) of
/// every version; with a reference (the baseline: uploaded, from a sweep, or captured from the version's
/// own traffic) per reference feature a <see cref="ColumnAccumulator"/> and the prediction column (when the reference
/// has predictions); with a manifest a sample of the rows that have an outcome (reduced to <see cref="LabelledPrediction"/>).
/// Rows from either API count alike: an Open Inference Protocol row logged with tensor names is read under the
/// manifest's (tensor layout: <c>x{i}</c> is feature i; per_feature with one input: <c>x0</c> is the feature).
/// Samples are chosen by each row's <see cref="RowSampler"/> priority, so records may come in any order and give the
/// same report. A request is counted by its first record (row 0, or row -1 for a failure). Mirror copies
/// (<see cref="InferenceLogRecord.Mirror"/>) were scored off the request path: they are left out of the service figures
/// (requests, failures, latency, rows per API) and of the variant outcomes (<see cref="Variant"/>), and count everywhere
/// else (rows, drift, outputs, inputs, live performance: their outcome is the primary's row's), and in <see cref="MirrorRows"/>.
/// <see cref="Build"/> gives the same report <see cref="VersionMonitor.Evaluate"/> gives for the same records. Not thread-safe.
/// </summary>
public sealed class WindowAccumulator
{
    private readonly DatasetBaseline? _baseline;
    private readonly ModelManifest? _manifest;
    private readonly FeedbackWindow _feedback;
    private readonly WindowLimits _limits;
    private readonly RowSampler _sampler;
    private readonly ColumnAccumulator[] _features;
    private readonly string?[] _tensorNames;
    private readonly ColumnAccumulator? _predictions;
    private readonly ServiceAccumulator _service;
    private readonly OutputAccumulator _outputs = new();
    private readonly TensorInputAccumulator _inputs = new();
    private readonly PrioritySample<LabelledPrediction> _labelled;
    private readonly ApiCounts _driftRows = new();
    private readonly ApiCounts _predictionRows = new();
    private readonly ApiCounts _labelledRows = new();
    private readonly ApiCounts _requests = new();
    private readonly long _driftFromTicks;
    private readonly VariantOutcomes? _outcomes;

    public WindowAccumulator(DatasetBaseline? baseline, ModelManifest? manifest, IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> feedback)
        : this(baseline, manifest, new FeedbackWindow(feedback), WindowLimits.Default, new RowSampler(0))
    {
    }

    /// <param name="baseline">The reference the window is judged against; null: service, outputs and performance only.</param>
    /// <param name="driftFrom">Rows before this are not judged for drift (they are the reference captured from the version's traffic); the rest of the report takes them.</param>
    public WindowAccumulator(DatasetBaseline? baseline, ModelManifest? manifest, FeedbackWindow feedback, WindowLimits limits, RowSampler sampler,
        DateTimeOffset? driftFrom = null)
    {
        _driftFromTicks = driftFrom?.UtcTicks ?? long.MinValue;
        ArgumentNullException.ThrowIfNull(limits);
        _baseline = baseline;
        _manifest = manifest;
        _feedback = feedback;
        _limits = limits;
        _sampler = sampler;
        _features = baseline?.Features.Select(f => new ColumnAccumulator(f, limits)).ToArray() ?? [];
        _tensorNames = _features.Select(f => WindowColumns.TensorName(manifest, f.Name)).ToArray();
        if (baseline?.Predictions is { } reference)
        {
            _predictions = new ColumnAccumulator(reference, limits);
        }

        _service = new ServiceAccumulator(limits);
        _labelled = new PrioritySample<LabelledPrediction>(limits.MaxFeedbackRows);
        _outcomes = manifest is null ? null : new VariantOutcomes(manifest);
    }

    /// <summary>Rows served (records that are not errors), mirror rows included.</summary>
    public long Rows { get; private set; }

    /// <summary>Rows that were mirror copies.</summary>
    public long MirrorRows { get; private set; }

    /// <summary>The feature columns being built (for tests and diagnostics).</summary>
    internal IReadOnlyList<ColumnAccumulator> Features => _features;

    /// <summary>Request latencies held for the percentiles (all APIs).</summary>
    internal int LatenciesHeld => _service.LatenciesHeld;

    /// <summary>Request latencies held in all, the per-API samples included.</summary>
    internal int LatencyValuesHeld => _service.LatencyValuesHeld;

    /// <summary>Labelled rows held for live performance.</summary>
    internal int LabelledHeld => _labelled.Count;

    /// <summary>What a comparison of variants takes from this window: the service figures and the labelled rows, mirror copies left out.</summary>
    public VariantWindow Variant() => new(_service.Build(), _outcomes);

    public void Add(InferenceLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var priority = _sampler.Priority(record.RequestId, record.Row, record.TimestampUtc.UtcTicks);
        if (!AddRow(record.Row, record.Mirror, record.IsError, record.Source, record.LatencyMs, record.StatusCode, priority))
        {
            return;
        }

        _outputs.Add(record);
        _inputs.Add(record);
        if (record.TimestampUtc.UtcTicks >= _driftFromTicks)
        {
            if (_baseline is not null)
            {
                _driftRows.Add(record.Source);
            }

            for (var i = 0; i < _features.Length; i++)
            {
                var feature = _features[i];
                var value = WindowColumns.Lookup(record, feature.Name, _tensorNames[i]);
                if (feature.IsNumeric)
                {
                    feature.AddNumber(WindowColumns.Number(value), priority);
                }
                else
                {
                    feature.AddCategory(WindowColumns.Text(value));
                }
            }

            if (_predictions is not null)
            {
                _predictionRows.Add(record.Source);
                AddPrediction(_manifest is null ? PredictionValues.Logged(record) : PredictionValues.Number(record, _manifest), record.Label, priority);
            }
        }

        if (_manifest is not null && _feedback.Records.Count > 0 && _feedback.Records.TryGetValue((record.RequestId, record.Row), out var outcome))
        {
            var probability = _manifest.Task == TabularTask.Binary ? PredictionValues.PositiveProbability(record, _manifest) : null;
            AddLabelled(new LabelledPrediction(outcome.Actual, record.Label, record.Value, probability), record.Source, record.Mirror, priority);
        }
    }

    /// <summary>
    /// Rows <paramref name="rows"/> of a decoded block: the same as adding their records one by one, but feature by
    /// feature over the block's columns (see <see cref="WindowColumnsAdder"/>).
    /// </summary>
    public void Add(InferenceLogColumns block, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(block);
        var judged = new WindowColumnsAdder(block, rows.Length);
        var tallies = new SourceTallies();
        try
        {
            var ids = block.RequestIds;
            var rowNumbers = block.Rows;
            var ticks = block.TicksUtc;
            var sources = block.Sources;
            var labels = block.Labels;
            var probabilities = block.Probabilities;
            var mean = block.Outputs.Find("mean");
            var scores = block.Outputs.Find("scores");
            foreach (var row in rows)
            {
                var priority = _sampler.Priority(ids[row], rowNumbers[row], ticks[row]);
                var tally = tallies.Of(sources[row]);
                var mirror = block.IsMirror(row);
                var isError = block.IsError(row);
                if (rowNumbers[row] <= 0 && !mirror)
                {
                    var code = block.StatusCodes[row];
                    _service.AddRequest(sources[row], block.LatencyMs[row], isError, code == 0 ? null : code, priority);
                    tally.Requests++;
                }

                if (isError || rowNumbers[row] < 0)
                {
                    continue;
                }

                Rows++;
                if (mirror)
                {
                    MirrorRows++;
                }
                else
                {
                    tally.Served++;
                }

                var probability = probabilities[row];
                _outputs.Add(PredictionValues.Logged(block, row, mean), double.IsNaN(probability) ? null : probability, labels[row]);
                if (WindowColumnsAdder.IsSummary(block, row))
                {
                    _inputs.Add(block.Record(row));
                }

                if (ticks[row] >= _driftFromTicks)
                {
                    judged.Add(row, priority);
                    tally.Drift++;
                    if (_predictions is not null)
                    {
                        AddPrediction(_manifest is null ? PredictionValues.Logged(block, row, mean) : PredictionValues.Number(block, row, _manifest, scores), labels[row],
                            priority);
                    }
                }

                if (_manifest is not null && _feedback.Records.Count > 0 && _feedback.Records.TryGetValue((ids[row], rowNumbers[row]), out var outcome))
                {
                    var positive = _manifest.Task == TabularTask.Binary ? PredictionValues.PositiveProbability(block, row, _manifest, scores) : null;
                    var value = block.Values[row];
                    AddLabelled(new LabelledPrediction(outcome.Actual, labels[row], double.IsNaN(value) ? null : value, positive), sources[row], mirror, priority);
                }
            }

            foreach (var tally in tallies.All)
            {
                AddTally(tally);
            }

            for (var i = 0; i < _features.Length; i++)
            {
                judged.AddFeature(_features[i], _tensorNames[i]);
            }
        }
        finally
        {
            judged.Dispose();
        }
    }

    /// <summary>
    /// The report. <paramref name="reference"/> says what the window was judged against (default: the baseline, or none);
    /// <paramref name="previous"/> the version's previous window, for the service findings that compare with it.
    /// </summary>
    public MonitoringReport Build(string runId, string model, string version, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, MonitoringOptions options,
        ReferenceInfo? reference = null, PreviousWindow? previous = null)
    {
        var sampling = new WindowSampling(_sampler.Seed.ToString("x16", CultureInfo.InvariantCulture), _limits.MaxSampleRows, _limits.MaxCategories,
            _limits.MaxFeedbackRows, _service.LatenciesHeld, _feedback.Received, _feedback.Records.Count, _labelled.Offered);
        var judged = new List<JudgedRows> { JudgedRows.From(JudgedRows.Service, _requests) };
        if (_features.Length > 0)
        {
            judged.Add(JudgedRows.From(JudgedRows.DataDrift, _driftRows));
        }

        if (_predictions is not null)
        {
            judged.Add(JudgedRows.From(JudgedRows.PredictionDrift, _predictionRows));
        }

        if (_manifest is not null)
        {
            judged.Add(JudgedRows.From(JudgedRows.Performance, _labelledRows));
        }

        var figures = new WindowFigures(Rows, _driftRows.Total, _features.Select(c => c.Build()).ToList(), _predictions?.Build(), _service.Build(previous), _labelled.ToArray(),
            _outputs.Build(), _inputs.Build(), judged, MirrorRows);
        return VersionMonitor.Report(runId, model, version, from, to, now, figures, _baseline, _manifest, options, sampling,
            reference ?? ReferenceInfo.For(_baseline));
    }

    /// <summary>A record's service part: false when it is a failure or a failed request's record, which count no further.</summary>
    private bool AddRow(int row, bool mirror, bool isError, string source, double latencyMs, int? statusCode, ulong priority)
    {
        if (row <= 0 && !mirror)
        {
            // A request's records share its latency and status; its first record stands for it.
            _service.AddRequest(source, latencyMs, isError, statusCode, priority);
            _requests.Add(source);
        }

        if (isError || row < 0)
        {
            return false;
        }

        Rows++;
        if (mirror)
        {
            MirrorRows++;
        }
        else
        {
            _service.AddRow(source);
        }

        return true;
    }

    /// <summary>A block's counts per API, added once rather than per row.</summary>
    private void AddTally(SourceTallies.Tally tally)
    {
        if (tally.Requests > 0)
        {
            _requests.Add(tally.Source, tally.Requests);
        }

        if (tally.Served > 0)
        {
            _service.AddRows(tally.Source, tally.Served);
        }

        if (tally.Drift > 0 && _baseline is not null)
        {
            _driftRows.Add(tally.Source, tally.Drift);
        }

        if (tally.Drift > 0 && _predictions is not null)
        {
            _predictionRows.Add(tally.Source, tally.Drift);
        }
    }

    private void AddLabelled(LabelledPrediction labelled, string source, bool mirror, ulong priority)
    {
        _labelled.Add(priority, labelled);
        _labelledRows.Add(source);
        if (!mirror)
        {
            _outcomes?.Add(labelled);
        }
    }

    /// <summary>
    /// The prediction column: binary, the positive probability; regression, the value; multiclass, the label (as a
    /// category); without a manifest the logged value or label. <paramref name="number"/> is the row's number of these.
    /// </summary>
    private void AddPrediction(double? number, string? label, ulong priority)
    {
        if (_predictions!.IsNumeric)
        {
            _predictions.AddNumber(number, priority);
        }
        else if (_manifest is null || _manifest.Task == TabularTask.Multiclass)
        {
            _predictions.AddCategory(label);
        }
        else
        {
            _predictions.AddCategory(number?.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>What a window gave, for <see cref="VersionMonitor.Report"/>: rows (in all, and judged for drift), columns, service, labelled rows, outputs, tensor inputs, rows judged per test and mirror rows.</summary>
internal sealed record WindowFigures(long Rows, long DriftRows, IReadOnlyList<WindowColumn> Current, WindowColumn? Predictions, ServiceHealth Service,
    IReadOnlyList<LabelledPrediction> Labelled, OutputStatistics Outputs, IReadOnlyList<TensorInputSummary> Inputs, IReadOnlyList<JudgedRows> Judged, long MirrorRows = 0);
