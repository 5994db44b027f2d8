using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>What one monitoring run did: a report per model version with a baseline, and how many alerts were delivered.</summary>
public sealed record MonitoringRunResult(string RunId, DateTimeOffset WindowStartUtc, DateTimeOffset WindowEndUtc, IReadOnlyList<ReportSummary> Reports,
    int AlertsDelivered, IReadOnlyList<string> Skipped);

/// <summary>
/// One monitoring run: for every model version that has a baseline (or those of one model), read the window's
/// logged rows once per model (partition range queries), judge each version (<see cref="VersionMonitor"/>), store
/// the JSON and HTML reports and a summary row, and for each finding log a structured warning and post an alert to
/// the webhook when one is configured (a failing webhook never fails the run). A model that fails to evaluate is
/// logged and skipped, so one bad model cannot stop the others. Thread-safe.
/// </summary>
public sealed class MonitoringRunner
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

    public async Task<MonitoringRunResult> RunAsync(string? onlyModel, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var from = now.AddHours(-_options.WindowHours);
        var runId = $"{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var models = onlyModel is not null ? [onlyModel] : (await _registry.ListModelsAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.Name).ToList();
        var summaries = new List<ReportSummary>();
        var skipped = new List<string>();
        var delivered = 0;
        foreach (var model in models)
        {
            try
            {
                var (reports, alerts) = await RunModelAsync(model, runId, from, now, skipped, cancellationToken).ConfigureAwait(false);
                summaries.AddRange(reports);
                delivered += alerts;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "Monitoring model {Model} failed; the run goes on with the other models.", model);
                skipped.Add($"{model}: {e.Message}");
            }
        }

        _logger.LogInformation("Monitoring run {RunId}: {Reports} report(s), {Alerts} alert(s) delivered, {Skipped} skipped.", runId, summaries.Count, delivered, skipped.Count);
        return new MonitoringRunResult(runId, from, now, summaries, delivered, skipped);
    }

    private async Task<(List<ReportSummary> Reports, int Alerts)> RunModelAsync(string model, string runId, DateTimeOffset from, DateTimeOffset now, List<string> skipped,
        CancellationToken cancellationToken)
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
        var feedback = await _feedback.ReadAsync(model, cancellationToken).ConfigureAwait(false);
        var windows = new Dictionary<string, (Models.ModelVersion Version, WindowAccumulator Window)>(StringComparer.Ordinal);
        foreach (var (version, baseline) in monitored)
        {
            var manifest = await _registry.GetManifestAsync(version, cancellationToken).ConfigureAwait(false);
            windows[version.Version] = (version, new WindowAccumulator(baseline, manifest, feedback));
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
            foreach (var finding in report.Findings)
            {
                _logger.LogWarning("Monitoring finding {Kind} for {Model} version {Version}: {Message}", finding.Kind, model, version.Version, finding.Message);
            }

            if (report.Findings.Count > 0 && await _alerts.SendAsync(Alert(report), cancellationToken).ConfigureAwait(false))
            {
                alerts++;
            }
        }

        return (reports, alerts);
    }

    private static object Alert(MonitoringReport report) => new
    {
        kind = "model_monitoring",
        model = report.Model,
        version = report.Version,
        run_id = report.RunId,
        window_start_utc = report.WindowStartUtc,
        window_end_utc = report.WindowEndUtc,
        findings = report.Findings.Select(f => new { kind = f.Kind, message = f.Message }),
        dataset_drift = report.Drift?.DatasetDrift,
        drift_share = report.Drift?.DriftShare,
        performance_decay = report.Performance.Decayed,
        report = $"{report.Model}/{report.Version}/{report.RunId}/report.html",
    };
}
