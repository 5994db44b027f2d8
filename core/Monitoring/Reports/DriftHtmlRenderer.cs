using System.Globalization;
using System.Net;
using System.Text;
using Serverless.Core.Monitoring.Drift;

namespace Serverless.Core.Monitoring.Reports;

/// <summary>
/// Renders a <see cref="DriftReport"/> as one self-contained HTML page: inline CSS, a summary, the per-feature
/// table (method, statistic, raw and adjusted p-value, threshold, effect size, verdict, note) and, per feature
/// with a <see cref="FeatureHistogram"/>, an inline SVG chart of reference vs current shares. No scripts, fonts,
/// images or links to anything outside the page; every name from the data is HTML-encoded. Deterministic for the
/// same inputs; pure; thread-safe.
/// </summary>
public static class DriftHtmlRenderer
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1f2933;background:#fff}
        h1{font-size:1.4em;margin:0 0 8px}h2{font-size:1.1em;margin:24px 0 4px}
        .summary{padding:10px 14px;border-radius:6px;margin:8px 0 16px;display:inline-block}
        .drift{background:#fde8e8;border:1px solid #e02424}.nodrift{background:#def7ec;border:1px solid #0e9f6e}
        table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #d2d6dc;padding:4px 8px;text-align:right}
        th{background:#f4f5f7}td.l,th.l{text-align:left}tr.drifted td{background:#fdf2f2}
        .badge{font-weight:600}.yes{color:#c81e1e}.no{color:#057a55}.note{color:#6b7280;font-style:italic}
        .chart rect.ref{fill:#7e9cc6}.chart rect.cur{fill:#f0a04b}.chart .axis{stroke:#9ca3af}
        .chart .tick{font-size:10px;fill:#4b5563}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
        .feature{margin-bottom:12px}
        """;

    /// <summary>The page. <paramref name="histograms"/> are matched to features by name; features without one get no chart.</summary>
    public static string Render(DriftReport report, IReadOnlyList<FeatureHistogram> histograms, string title = "Data drift report")
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(histograms);
        var byName = new Dictionary<string, FeatureHistogram>(StringComparer.Ordinal);
        foreach (var histogram in histograms)
        {
            histogram.Validate();
            byName.TryAdd(histogram.Name, histogram);
        }

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>\n<style>\n{Style}</style>\n</head>\n<body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{Encode(title)}</h1>\n");
        AppendSummary(html, report);
        AppendTable(html, report);
        html.Append("<h2>Distributions</h2>\n<div class=\"legend\"><span style=\"background:#7e9cc6\"></span>reference<span style=\"background:#f0a04b\"></span>current (share of each sample per bin)</div>\n");
        foreach (var feature in report.Features)
        {
            if (byName.TryGetValue(feature.Name, out var histogram))
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"feature\"><h2>{Encode(feature.Name)} <span class=\"badge {(feature.Drifted ? "yes" : "no")}\">{(feature.Drifted ? "drift" : "no drift")}</span></h2>\n");
                html.Append(SvgHistogram.Render(histogram));
                html.Append("</div>\n");
            }
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, DriftReport report)
    {
        var verdict = report.DatasetDrift ? "Dataset drift detected" : "No dataset drift";
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"summary {(report.DatasetDrift ? "drift" : "nodrift")}\"><strong>{verdict}</strong>: ");
        html.Append(CultureInfo.InvariantCulture, $"{report.DriftedCount} of {report.Features.Count} features drifted (share {Number(report.DriftShare)}, threshold {Number(report.Options.DriftShareThreshold)}); ");
        html.Append(CultureInfo.InvariantCulture, $"reference rows {report.NReference}, current rows {report.NCurrent}; ");
        html.Append(report.Options.BenjaminiHochberg ? "p-values Benjamini–Hochberg adjusted" : "p-values not adjusted");
        html.Append(CultureInfo.InvariantCulture, $"; minimum window {report.Options.MinimumCurrentRows}.</div>\n");
    }

    private static void AppendTable(StringBuilder html, DriftReport report)
    {
        html.Append("<table>\n<thead><tr><th class=\"l\">feature</th><th class=\"l\">type</th><th class=\"l\">method</th><th>statistic</th><th>p-value</th><th>adjusted p</th><th>threshold</th><th>effect size</th><th>n ref</th><th>n cur</th><th class=\"l\">drifted</th><th class=\"l\">note</th></tr></thead>\n<tbody>\n");
        foreach (var f in report.Features)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr{(f.Drifted ? " class=\"drifted\"" : "")}><td class=\"l\">{Encode(f.Name)}</td><td class=\"l\">{f.Type}</td><td class=\"l\">{f.Method}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{Number(f.Statistic)}</td><td>{Number(f.PValue)}</td><td>{Number(f.AdjustedPValue)}</td><td>{Number(f.Threshold)}</td><td>{Number(f.EffectSize)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{f.NReference}</td><td>{f.NCurrent}{(f.CurrentSample is { } sample ? $" (sample {sample})" : "")}</td><td class=\"l\"><span class=\"badge {(f.Drifted ? "yes" : "no")}\">{(f.Drifted ? "yes" : "no")}</span></td>");
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"l note\">{Encode(f.Note ?? "")}</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static string Number(double? value) => value switch
    {
        null => "–",
        double.PositiveInfinity => "∞",
        { } v => v.ToString("G4", CultureInfo.InvariantCulture),
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
