using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Variants;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// What one monitoring run did: a report per model version that has a reference or served traffic in the window,
/// how many alerts were delivered, and the versions skipped (with why).
/// </summary>
public sealed record MonitoringRunResult(string RunId, DateTimeOffset WindowStartUtc, DateTimeOffset WindowEndUtc, IReadOnlyList<ReportSummary> Reports,
    int AlertsDelivered, IReadOnlyList<string> Skipped);

/// <summary>
/// One monitoring run: for every model version (or those of one model) read the window's logged rows once per model
/// (partition range queries), whichever API they came through, and the outcomes received in the window; judge each
/// version block by block, column by column, within the <see cref="WindowLimits"/> (<see cref="WindowAccumulator"/> over
/// <see cref="InferenceLogReader.ReadBlocksAsync"/>, samples keyed by
/// a fresh random seed per run that the reports record) against its reference: its baseline, or, for a version
/// without one, its own first traffic (<see cref="MonitoringOptions.ReferenceWindowHours"/> from the first request
/// seen, captured once that window has passed by <see cref="TrafficReferenceBuilder"/> and stored as its baseline;
/// only later traffic is judged for drift against it). Every version with a reference or with traffic in the window gets a
/// report (service health in all and per API, output statistics, and drift when it has a reference), compared with
/// its previous window's service figures (<see cref="ReportStore.PreviousAsync"/>). A model whose aliases split traffic, or
/// whose versions scored mirror copies, gets its variants judged (<see cref="VariantComparer"/>, <see cref="MirrorJoin"/>,
/// on the same single read of the window) and every report of the model carries them. The JSON and HTML reports and a
/// summary row are stored, and for each finding a structured warning is logged and an alert posted to the webhook when
/// one is configured (a failing webhook never fails the run). The pages end with the sections other areas add
/// (<see cref="IReportSection"/>; one that fails is logged and left out of the page). A model that fails to evaluate is logged and skipped, so
/// one bad model cannot stop the others. Callers go through <see cref="MonitoringRunCoordinator"/>, which keeps runs
/// from overlapping. Thread-safe.
/// </summary>
public sealed class MonitoringRunner : IMonitoringRunner
{
    private readonly IModelRegistry _registry;
    private readonly BaselineStore _baselines;
    private readonly InferenceLogReader _logs;
    private readonly FeedbackStore _feedback;
    private readonly ReportStore _reports;
    private readonly ReferenceWindowStore _referenceWindows;
    private readonly WebhookAlertSender _alerts;
    private readonly MonitoringOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<MonitoringRunner> _logger;
    private readonly IReadOnlyList<IReportSection> _sections;

    public MonitoringRunner(IModelRegistry registry, BaselineStore baselines, InferenceLogReader logs, FeedbackStore feedback, ReportStore reports,
        ReferenceWindowStore referenceWindows, WebhookAlertSender alerts, IOptions<MonitoringOptions> options, TimeProvider clock, ILogger<MonitoringRunner> logger,
        IEnumerable<IReportSection> sections)
    {
        _sections = [.. sections];
        _registry = registry;
        _baselines = baselines;
        _logs = logs;
        _feedback = feedback;
        _reports = reports;
        _referenceWindows = referenceWindows;
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
        if (versions.Count == 0)
        {
            return (reports, alerts);
        }

        // The window is judged as it streams in: no run holds a window's records, however many there are.
        // Outcomes for the window's predictions arrive after them, so only those received in the window are read.
        var limits = WindowLimits.From(_options);
        var feedback = await FeedbackWindow.CollectAsync(_feedback.ReadReceivedAsync(model, from, cancellationToken), limits.MaxFeedbackRows, sampler, cancellationToken)
            .ConfigureAwait(false);
        var windows = new Dictionary<string, VersionWindow>(StringComparer.Ordinal);
        foreach (var version in versions)
        {
            var manifest = await _registry.GetManifestAsync(version, cancellationToken).ConfigureAwait(false);
            var baseline = await _baselines.GetAsync(model, version.Version, cancellationToken).ConfigureAwait(false);
            DateTimeOffset? opened = null;
            if (baseline is null && _options.ReferenceWindowHours > 0)
            {
                opened = await _referenceWindows.GetStartAsync(model, version.Version, cancellationToken).ConfigureAwait(false);
                if (opened is { } start && start + ReferenceWindow <= now)
                {
                    baseline = await CaptureReferenceAsync(model, version.Version, manifest, start, limits, sampler, cancellationToken).ConfigureAwait(false);
                    opened = null;
                }
            }

            // Traffic a reference was captured from is not judged for drift against itself (its service figures still count).
            windows[version.Version] = new VersionWindow(version, baseline, opened,
                new WindowAccumulator(baseline, manifest, feedback, limits, sampler, baseline?.TrafficToUtc));
        }

        var mirrors = new MirrorJoin(limits, sampler);
        var byVersion = new VersionRows();
        await foreach (var block in _logs.ReadBlocksAsync(model, from, now, cancellationToken).ConfigureAwait(false))
        {
            mirrors.Add(block, block.Selected);
            foreach (var (version, rows) in byVersion.Split(block))
            {
                if (windows.TryGetValue(version, out var window))
                {
                    window.Accumulator.Add(block, rows);
                    var first = block.TicksUtc[rows[0]];
                    foreach (var row in rows)
                    {
                        first = Math.Min(first, block.TicksUtc[row]);
                    }

                    var seen = new DateTimeOffset(first, TimeSpan.Zero);
                    window.FirstSeen = window.FirstSeen is { } earlier && earlier <= seen ? earlier : seen;
                }
            }
        }

        var built = new List<MonitoringReport>();
        foreach (var window in windows.Values)
        {
            var version = window.Version.Version;
            if (window.Baseline is null && window.FirstSeen is null)
            {
                skipped.Add($"{model}/{version}: no baseline and no traffic in the window");
                continue;
            }

            var reference = await ReferenceAsync(model, window, cancellationToken).ConfigureAwait(false);
            var previous = await _reports.PreviousAsync(model, version, from.AddHours(-_options.WindowHours), from.AddHours(_options.WindowHours / 4.0), cancellationToken)
                .ConfigureAwait(false);
            built.Add(window.Accumulator.Build(runId, model, version, from, now, _clock.GetUtcNow(), _options, reference, previous));
        }

        var aliases = versions.Count > 1 ? await AliasVariantsAsync(model, from, cancellationToken).ConfigureAwait(false) : [];
        var variants = VariantComparer.Build(aliases, windows.ToDictionary(w => w.Key, w => w.Value.Accumulator.Variant(), StringComparer.Ordinal), mirrors.Build(),
            _options.MinimumWindowRows, _options.MinimumFeedbackRows);
        foreach (var judged in built)
        {
            var report = judged with { Variants = variants };
            var version = report.Version;
            var extra = await SectionsAsync(model, version, cancellationToken).ConfigureAwait(false);
            reports.Add(await _reports.SaveAsync(report, MonitoringHtml.Render(report, extra), cancellationToken).ConfigureAwait(false));
            AppMetrics.RecordReport(model, version, report.Findings.Select(f => f.Kind));
            foreach (var finding in report.Findings)
            {
                _logger.LogWarning("Monitoring finding {Kind} for {Model} version {Version}: {Message}", finding.Kind, model, version, finding.Message);
            }

            if (report.Findings.Count > 0 && await _alerts.SendAsync(MonitoringAlert.From(report), cancellationToken).ConfigureAwait(false))
            {
                alerts++;
            }
        }

        return (reports, alerts);
    }

    /// <summary>The other areas' sections for a page; one that fails is logged and left out.</summary>
    private async Task<string> SectionsAsync(string model, string version, CancellationToken cancellationToken)
    {
        var html = new System.Text.StringBuilder();
        foreach (var section in _sections)
        {
            try
            {
                html.Append(await section.RenderAsync(model, version, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "The report section {Section} of {Model} version {Version} could not be rendered; the page goes without it.", section.GetType().Name, model, version);
            }
        }

        return html.ToString();
    }

    private TimeSpan ReferenceWindow => TimeSpan.FromHours(_options.ReferenceWindowHours);

    /// <summary>
    /// The model's aliases that split traffic or moved during the window: where each sends traffic now, and the versions
    /// its moves since <paramref name="from"/> sent traffic to before (read from its history only when it moved then).
    /// </summary>
    private async Task<List<AliasVariants>> AliasVariantsAsync(string model, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var found = new List<AliasVariants>();
        foreach (var alias in await _registry.ListAliasesAsync(model, cancellationToken).ConfigureAwait(false))
        {
            var former = new HashSet<string>(StringComparer.Ordinal);
            if (alias.UpdatedUtc >= from)
            {
                var history = await _registry.GetAliasHistoryAsync(model, alias.Alias, AliasHistory.DefaultLimit, cancellationToken).ConfigureAwait(false);
                foreach (var move in history.Moves.Where(m => m.AtUtc >= from))
                {
                    former.UnionWith((move.FromTraffic?.Shares ?? []).Concat(move.ToTraffic?.Shares ?? []).Select(s => s.Version));
                }

                former.ExceptWith(alias.Traffic.Shares.Select(s => s.Version));
            }

            if (alias.Traffic.IsSplit || former.Count > 0)
            {
                found.Add(new AliasVariants(alias.Alias, alias.Traffic, former));
            }
        }

        return found;
    }

    /// <summary>What the window is judged against; a version without a baseline opens its reference window at its first traffic seen.</summary>
    private async Task<ReferenceInfo> ReferenceAsync(string model, VersionWindow window, CancellationToken cancellationToken)
    {
        if (window.Baseline is not null || _options.ReferenceWindowHours <= 0)
        {
            return ReferenceInfo.For(window.Baseline);
        }

        if (window.Opened is not { } opened)
        {
            opened = window.FirstSeen!.Value;
            await _referenceWindows.SetStartAsync(model, window.Version.Version, opened, cancellationToken).ConfigureAwait(false);
        }

        return new ReferenceInfo(ReferenceInfo.Collecting, "the version's own traffic", opened, opened + ReferenceWindow);
    }

    /// <summary>
    /// Reads the version's traffic of its reference window and stores what it gives as the version's baseline; when it
    /// served nothing then, the window is closed so that its next traffic opens a new one.
    /// </summary>
    private async Task<DatasetBaseline?> CaptureReferenceAsync(string model, string version, ModelManifest? manifest, DateTimeOffset start, WindowLimits limits,
        RowSampler sampler, CancellationToken cancellationToken)
    {
        var end = start + ReferenceWindow;
        var builder = new TrafficReferenceBuilder(manifest, limits, sampler, _options.MaxReferenceFeatures);
        await foreach (var record in _logs.ReadUnorderedAsync(model, start, end, cancellationToken).ConfigureAwait(false))
        {
            if (record.Version == version)
            {
                builder.Add(record);
            }
        }

        var source = string.Create(CultureInfo.InvariantCulture,
            $"the version's own traffic {start:yyyy-MM-dd HH:mm:ss} – {end:yyyy-MM-dd HH:mm:ss} UTC ({builder.Rows:N0} rows{(builder.FeaturesLeftOut > 0 ? $", {builder.FeaturesLeftOut} features past Monitoring:MaxReferenceFeatures left out" : "")})");
        var baseline = builder.Build(source, start, end, _clock.GetUtcNow());
        if (baseline is not null)
        {
            await _baselines.SaveAsync(model, version, baseline, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Monitoring: {Model} version {Version} has no baseline; its traffic {From:o} – {To:o} ({Rows} rows) is now its reference.",
                model, version, start, end, builder.Rows);
        }

        await _referenceWindows.ClearAsync(model, version, cancellationToken).ConfigureAwait(false);
        return baseline;
    }

    /// <summary>One version's part of a run.</summary>
    private sealed class VersionWindow(ModelVersion version, DatasetBaseline? baseline, DateTimeOffset? opened, WindowAccumulator accumulator)
    {
        public ModelVersion Version { get; } = version;

        public DatasetBaseline? Baseline { get; } = baseline;

        /// <summary>When the version's open reference window started (no baseline yet).</summary>
        public DateTimeOffset? Opened { get; } = opened;

        public WindowAccumulator Accumulator { get; } = accumulator;

        /// <summary>The earliest judged record's time; null while none was.</summary>
        public DateTimeOffset? FirstSeen { get; set; }
    }
}
