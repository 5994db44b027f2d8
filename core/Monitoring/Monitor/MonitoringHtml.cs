using System.Globalization;
using System.Net;
using System.Text;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Reports;
using Serverless.Core.Monitoring.Variants;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// The self-contained page of a monitoring report: what it was judged against, findings, service health (in all,
/// by status and per API), rows judged per test and API, prediction outputs, non-tabular inputs, live performance and
/// the variants of the model (<see cref="VariantsHtml"/>), data quality tables, the sections other areas add
/// (<see cref="IReportSection"/>, as <c>extra</c>), then the drift section (per-feature table and reference-vs-current charts, <see cref="DriftHtmlRenderer"/>).
/// No external assets. Pure; thread-safe.
/// </summary>
public static class MonitoringHtml
{
    public static string Render(MonitoringReport report, string? extra = null)
    {
        var title = $"Monitoring: {report.Model} version {report.Version}";
        var drift = report.Drift ?? new DriftReport
        {
            Features = [],
            DatasetDrift = false,
            DriftShare = 0,
            DriftedCount = 0,
            NReference = 0,
            NCurrent = 0,
            Options = DriftOptions.Default,
        };
        var page = DriftHtmlRenderer.Render(drift, report.Histograms, title);
        if (report.Variants is not null)
        {
            page = page.Replace("</style>", VariantsHtml.Style + "\n</style>", StringComparison.Ordinal);
        }

        var sections = Sections(report) + extra;
        var marker = page.IndexOf("<h2", StringComparison.Ordinal);
        return marker < 0 ? page.Replace("</body>", sections + "</body>", StringComparison.Ordinal) : page.Insert(marker, sections);
    }

    private static string Sections(MonitoringReport report)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Window {report.WindowStartUtc:yyyy-MM-dd HH:mm} – {report.WindowEndUtc:yyyy-MM-dd HH:mm} UTC · {report.Rows:N0} predicted rows · run {E(report.RunId)} · generated {report.GeneratedUtc:yyyy-MM-dd HH:mm:ss} UTC</p>");
        html.Append(Sampling(report));
        html.Append(CultureInfo.InvariantCulture, $"<p>Judged against: {E(Reference(report.Reference))}</p>");
        html.Append("<h2>Findings</h2>");
        if (report.Findings.Count == 0)
        {
            html.Append("<div class=\"summary nodrift\">Nothing to report.</div>");
        }
        else
        {
            html.Append("<div class=\"summary drift\"><ul>");
            foreach (var finding in report.Findings)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><b>{E(finding.Kind)}</b>: {E(finding.Message)}</li>");
            }

            html.Append("</ul></div>");
        }

        var s = report.Service;
        html.Append("<h2>Service</h2><table><tr><th>requests</th><th>errors</th><th>error rate</th><th>latency p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>");
        html.Append(CultureInfo.InvariantCulture,
            $"<tr><td>{s.Requests:N0}</td><td>{s.Errors:N0}</td><td>{s.ErrorRate:P1}</td><td>{N(s.LatencyP50Ms)}</td><td>{N(s.LatencyP95Ms)}</td><td>{N(s.LatencyP99Ms)}</td></tr></table>");
        if (report.MirrorRows is { } mirrored)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p class=\"note\">{mirrored:N0} rows this version scored as mirror copies (off the request path) are not in these service figures; they count in outputs, drift and performance.</p>");
        }

        html.Append(ServiceDetail(report));

        var p = report.Performance;
        html.Append(CultureInfo.InvariantCulture, $"<h2>Performance from feedback</h2><p>{p.LabelledRows:N0} labelled predictions");
        html.Append(p.Decayed ? " · <span class=\"badge yes\">decayed</span>" : "").Append("</p>");
        if (p.Note is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{E(p.Note)}</p>");
        }

        if (p.Live.Count > 0 || p.Validation.Count > 0)
        {
            html.Append("<table><tr><th class=\"l\">metric</th><th>live</th><th>validation (training)</th></tr>");
            foreach (var name in p.Live.Keys.Union(p.Validation.Keys).Order(StringComparer.Ordinal))
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr{(name == p.Metric ? " class=\"drifted\"" : "")}><td class=\"l\">{E(name)}{(name == p.Metric ? " (primary)" : "")}</td><td>{N(p.Live.TryGetValue(name, out var l) ? l : null)}</td><td>{N(p.Validation.TryGetValue(name, out var v) ? v : null)}</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append(VariantsHtml.Render(report.Variants));
        if (report.PredictionDrift is { } prediction)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<h2>Prediction drift</h2><p>{E(prediction.Method)} statistic {N(prediction.Statistic)}, p-value {N(prediction.PValue)}, threshold {N(prediction.Threshold)}: <span class=\"badge {(prediction.Drifted ? "yes\">drifted" : "no\">no drift")}</span></p>");
        }

        html.Append("<h2>Data quality</h2><table><tr><th class=\"l\">feature</th><th>missing</th><th>missing at training</th><th>out of range</th><th>unseen categories</th><th class=\"l\">examples</th></tr>");
        foreach (var q in report.DataQuality)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"l\">{E(q.Name)}</td><td>{q.MissingRate:P1}</td><td>{q.BaselineMissingRate:P1}</td><td>{q.OutOfRangeRate:P1}</td><td>{q.UnseenCategoryRate:P1}</td><td class=\"l\">{E(string.Join(", ", q.UnseenCategories))}</td></tr>");
        }

        html.Append("</table>");
        return html.ToString();
    }

    private static string Reference(ReferenceInfo? reference) => reference switch
    {
        null => "the version's baseline",
        { Kind: ReferenceInfo.Traffic } => string.Create(CultureInfo.InvariantCulture,
            $"the version's own traffic {reference.FromUtc:yyyy-MM-dd HH:mm:ss} – {reference.ToUtc:yyyy-MM-dd HH:mm:ss} UTC ({reference.Rows:N0} rows); only later traffic is judged for drift"),
        { Kind: ReferenceInfo.Collecting } => string.Create(CultureInfo.InvariantCulture,
            $"nothing yet: the version has no baseline, and its traffic from {reference.FromUtc:yyyy-MM-dd HH:mm:ss} to {reference.ToUtc:yyyy-MM-dd HH:mm:ss} UTC becomes its reference"),
        { Kind: ReferenceInfo.None } => "nothing: the version has no baseline (upload one, or set Monitoring:ReferenceWindowHours to capture one from its traffic)",
        _ => $"its baseline ({reference.Source ?? "no source recorded"})",
    };

    /// <summary>Failures by status, the per-API table, the previous window, rows judged per test, outputs and non-tabular inputs.</summary>
    private static string ServiceDetail(MonitoringReport report)
    {
        var html = new StringBuilder();
        var s = report.Service;
        if (s.ErrorsByStatus is { Count: > 0 } statuses)
        {
            html.Append("<p>Failures by status: ").Append(E(string.Join(", ", statuses.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Key}: {x.Value:N0}"))))).Append("</p>");
        }

        if (s.Apis is { Count: > 0 } apis)
        {
            html.Append("<table><tr><th class=\"l\">API</th><th>requests</th><th>rows</th><th>errors</th><th>error rate</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>");
            foreach (var a in apis)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td class=\"l\">{E(a.Api)}</td><td>{a.Requests:N0}</td><td>{a.Rows:N0}</td><td>{a.Errors:N0}</td><td>{a.ErrorRate:P1}</td><td>{N(a.LatencyP50Ms)}</td><td>{N(a.LatencyP95Ms)}</td><td>{N(a.LatencyP99Ms)}</td></tr>");
            }

            html.Append("</table>");
        }

        if (s.Previous is { } p)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p>Previous window ({p.WindowStartUtc:yyyy-MM-dd HH:mm} – {p.WindowEndUtc:yyyy-MM-dd HH:mm} UTC, run {E(p.RunId)}): {p.Requests:N0} requests, error rate {p.ErrorRate:P1}, p95 {N(p.LatencyP95Ms)} ms.</p>");
        }

        if (report.Judged is { Count: > 0 } judged)
        {
            html.Append("<h2>Rows judged</h2><table><tr><th class=\"l\">test</th><th>rows</th><th class=\"l\">by API</th></tr>");
            foreach (var j in judged)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"l\">{E(j.Test)}</td><td>{j.Rows:N0}</td><td class=\"l\">{E(Counts(j.ByApi))}</td></tr>");
            }

            html.Append("</table>");
        }

        if (report.Outputs is { } o)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Prediction outputs</h2><p>{o.Rows:N0} rows</p><table><tr><th class=\"l\">output</th><th>count</th><th>mean</th><th>std</th><th>min</th><th>max</th></tr>");
            foreach (var (name, summary) in new[] { ("value", o.Values), ("probability", o.Probabilities) })
            {
                if (summary is { } x)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"l\">{name}</td><td>{x.Count:N0}</td><td>{N(x.Mean)}</td><td>{N(x.StdDev)}</td><td>{N(x.Min)}</td><td>{N(x.Max)}</td></tr>");
                }
            }

            html.Append("</table>");
            if (o.Labels.Count > 0)
            {
                html.Append("<p>Labels: ").Append(E(Counts(o.Labels))).Append(o.OtherLabels > 0 ? string.Create(CultureInfo.InvariantCulture, $", {o.OtherLabels:N0} others") : "").Append("</p>");
            }
        }

        if (report.Inputs is { Count: > 0 } inputs)
        {
            html.Append("<h2>Tensor inputs</h2><table><tr><th class=\"l\">input</th><th>requests</th><th>values</th><th>mean</th><th>std</th><th>NaN</th><th>Inf</th><th class=\"l\">shapes</th></tr>");
            foreach (var i in inputs)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td class=\"l\">{E(i.Input)}</td><td>{i.Requests:N0}</td><td>{i.Values:N0}</td><td>{N(i.Mean)}</td><td>{N(i.StdDev)}</td><td>{i.NanRate:P2}</td><td>{i.InfRate:P2}</td><td class=\"l\">{E(Counts(i.Shapes))}</td></tr>");
            }

            html.Append("</table>");
        }

        return html.ToString();
    }

    private static string Counts(IReadOnlyDictionary<string, long> counts) =>
        string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}: {c.Value:N0}")));

    /// <summary>One paragraph on what the run's memory bounds sampled or pooled; empty for reports without sampling data.</summary>
    private static string Sampling(MonitoringReport report)
    {
        if (report.Sampling is not { } sampling)
        {
            return "";
        }

        var parts = new List<string>();
        var sampled = report.Drift?.Features.Where(f => f.CurrentSample is not null).ToList() ?? [];
        if (sampled.Count > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"drift tests ran on a uniform sample of {sampling.MaxSampleRows:N0} values for ") +
                string.Join(", ", sampled.Select(f => string.Create(CultureInfo.InvariantCulture, $"{E(f.Name)} (of {f.NCurrent:N0})"))));
        }

        foreach (var pooled in report.DataQuality.Where(q => q.PooledValues > 0))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{E(pooled.Name)} had more than {sampling.MaxCategories:N0} new categories: {pooled.PooledValues:N0} values counted as one other category"));
        }

        if (sampling.LatencySample < report.Service.Requests)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"latency percentiles from {sampling.LatencySample:N0} of {report.Service.Requests:N0} requests"));
        }

        if (sampling.FeedbackKept < sampling.FeedbackReceived)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{sampling.FeedbackKept:N0} of {sampling.FeedbackReceived:N0} outcomes received in the window joined"));
        }

        if (report.Performance.LabelledRows < sampling.LabelledMatched)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"performance scored on {report.Performance.LabelledRows:N0} of {sampling.LabelledMatched:N0} labelled rows"));
        }

        return parts.Count == 0
            ? ""
            : $"<p class=\"note\">Sampled to bound memory (seed {E(sampling.Seed)}): {string.Join("; ", parts)}.</p>";
    }

    private static string N(double? value) => value is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "–";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
