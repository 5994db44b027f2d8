using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>What one monitoring run did: a report per model version with a baseline, and how many alerts were delivered.</summary>
public sealed record MonitoringRunResult(string RunId, DateTimeOffset WindowStartUtc, DateTimeOffset WindowEndUtc, IReadOnlyList<ReportSummary> Reports,
    int AlertsDelivered, IReadOnlyList<string> Skipped);

/// <summary>
/// One monitoring run: for every model version that has a baseline (or those of one model), read the window's
/// logged rows once per model (partition range queries) and the outcomes received in the window, judge each version
/// record by record within the <see cref="WindowLimits"/> (<see cref="WindowAccumulator"/>, samples keyed by a
/// fresh random seed per run that the reports record), store the JSON and HTML reports and a summary row, and for
/// each finding log a structured warning and post an alert to the webhook when one is configured (a failing
/// webhook never fails the run). A model that fails to evaluate is logged and skipped, so one bad model cannot stop
/// the others. Callers go through <see cref="MonitoringRunCoordinator"/>, which keeps runs from overlapping.
/// Thread-safe.
/// </summary>
public sealed class MonitoringRunner : IMonitoringRunner
{
    private readonly IModelRegistry _registry;
    private readonly BaselineStore _baselines;
    private readonly InferenceLogReader _logs;
    private readonly FeedbackStore _feedback;
    private readonly ReportStore _reports;
    private readonly WebhookAlertSender _alerts;
    private readonly MonitoringOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<MonitoringRunner> _logger;

    public MonitoringRunner(IModelRegistry registry, BaselineStore baselines, InferenceLogReader logs, FeedbackStore feedback, ReportStore reports,
        WebhookAlertSender alerts, IOptions<MonitoringOptions> options, TimeProvider clock, ILogger<MonitoringRunner> logger)
    {
        _registry = registry;
        _baselines = baselines;
        _logs = logs;
        _feedback = feedback;
        _reports = reports;
        _alerts = alerts;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>A run id: the start time (UTC, to the second) and six random hex digits.</summary>
    public static string NewRunId(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";

    public Task<MonitoringRunResult> RunAsync(string? onlyModel, CancellationToken cancellationToken) =>
        RunAsync(onlyModel, NewRunId(_clock.GetUtcNow()), cancellationToken);

    public async Task<MonitoringRunResult> RunAsync(string? onlyModel, string runId, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var from = now.AddHours(-_options.WindowHours);
        var sampler = new RowSampler(RowSampler.NewSeed());
        var models = onlyModel is not null ? [onlyModel] : (await _registry.ListModelsAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.Name).ToList();
        var summaries = new List<ReportSummary>();
        var skipped = new List<string>();
        var delivered = 0;
        foreach (var model in models)
        {
            try
            {
                var (reports, alerts) = await RunModelAsync(model, runId, from, now, sampler, skipped, cancellationToken).ConfigureAwait(false);
                summaries.AddRange(reports);
                delivered += alerts;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "Monitoring run {RunId}: model {Model} failed; the run goes on with the other models.", runId, model);
                skipped.Add($"{model}: the evaluation failed (the cause is logged with run id {runId})");
            }
        }

        _logger.LogInformation("Monitoring run {RunId}: {Reports} report(s), {Alerts} alert(s) delivered, {Skipped} skipped.", runId, summaries.Count, delivered, skipped.Count);
        return new MonitoringRunResult(runId, from, now, summaries, delivered, skipped);
    }

    private async Task<(List<ReportSummary> Reports, int Alerts)> RunModelAsync(string model, string runId, DateTimeOffset from, DateTimeOffset now, RowSampler sampler,
        List<string> skipped, CancellationToken cancellationToken)
    {
        var reports = new List<ReportSummary>();
        var alerts = 0;
        var versions = await _registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false);
        var monitored = new List<(Models.ModelVersion Version, DatasetBaseline Baseline)>();
        foreach (var version in versions)
        {
            if (await _baselines.GetAsync(model, version.Version, cancellationToken).ConfigureAwait(false) is { } baseline)
            {
                monitored.Add((version, baseline));
            }
            else
            {
                skipped.Add($"{model}/{version.Version}: no baseline");
            }
        }

        if (monitored.Count == 0)
        {
            return (reports, alerts);
        }

        // The window is judged as it streams in: no run holds a window's records, however many there are.
        // Outcomes for the window's predictions arrive after them, so only those received in the window are read.
        var limits = WindowLimits.From(_options);
        var feedback = await FeedbackWindow.CollectAsync(_feedback.ReadReceivedAsync(model, from, cancellationToken), limits.MaxFeedbackRows, sampler, cancellationToken)
            .ConfigureAwait(false);
        var windows = new Dictionary<string, (Models.ModelVersion Version, WindowAccumulator Window)>(StringComparer.Ordinal);
        foreach (var (version, baseline) in monitored)
        {
            var manifest = await _registry.GetManifestAsync(version, cancellationToken).ConfigureAwait(false);
            windows[version.Version] = (version, new WindowAccumulator(baseline, manifest, feedback, limits, sampler));
        }

        await foreach (var record in _logs.ReadUnorderedAsync(model, from, now, cancellationToken).ConfigureAwait(false))
        {
            if (windows.TryGetValue(record.Version, out var window))
            {
                window.Window.Add(record);
            }
        }

        foreach (var (version, window) in windows.Values)
        {
            var report = window.Build(runId, model, version.Version, from, now, _clock.GetUtcNow(), _options);
            reports.Add(await _reports.SaveAsync(report, MonitoringHtml.Render(report), cancellationToken).ConfigureAwait(false));
            AppMetrics.RecordReport(model, version.Version, report.Findings.Select(f => f.Kind));
            foreach (var finding in report.Findings)
            {
                _logger.LogWarning("Monitoring finding {Kind} for {Model} version {Version}: {Message}", finding.Kind, model, version.Version, finding.Message);
            }

            if (report.Findings.Count > 0 && await _alerts.SendAsync(MonitoringAlert.From(report), cancellationToken).ConfigureAwait(false))
            {
                alerts++;
            }
        }

        return (reports, alerts);
    }
}
