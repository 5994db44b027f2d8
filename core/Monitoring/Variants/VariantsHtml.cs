using System.Globalization;
using System.Net;
using System.Text;
using Serverless.Core.Training;

namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// The variants section of a monitoring page: per compared alias a side-by-side table (weight, role, requests, error
/// rate, latency, labelled rows, live metric with intervals, and each challenger's tests against the champion) and a
/// chart of the live metric per version with its interval (<see cref="SvgIntervals"/>); then the mirror agreement
/// table. Every figure the chart shows is in the table. Pure; thread-safe.
/// </summary>
public static class VariantsHtml
{
    /// <summary>The CSS the section's chart needs (appended to the page's style).</summary>
    public const string Style = ".chart .champion{stroke:#1c64f2;fill:#1c64f2}.chart .challenger{stroke:#f0a04b;fill:#f0a04b}.chart .whisker{stroke-width:2}";

    public static string Render(VariantsReport? variants)
    {
        if (variants is null)
        {
            return "";
        }

        var html = new StringBuilder("<h2>Variants</h2>");
        html.Append("<p class=\"note\">Each challenger is tested against its alias's champion (the largest weight) at α = 0.05; intervals are 95 %. ")
            .Append("Figures count every request a version answered in the window; mirror copies are left out of them and judged under Mirror agreement.</p>");
        foreach (var comparison in variants.Comparisons)
        {
            Comparison(html, comparison);
        }

        if (variants.Mirrors.Count > 0)
        {
            Mirrors(html, variants.Mirrors);
        }

        return html.ToString();
    }

    private static void Comparison(StringBuilder html, VariantComparison comparison)
    {
        var metric = comparison.Metric;
        var regression = metric == MetricNames.Mae;
        Func<double?, string> live = regression ? N : P;
        var metricName = metric ?? "live metric";
        html.Append(CultureInfo.InvariantCulture, $"<h3>Alias {E(comparison.Alias)}: champion version {E(comparison.Champion)}</h3>");
        html.Append(CultureInfo.InvariantCulture,
            $"<table><caption>Versions of alias {E(comparison.Alias)} side by side</caption><tr><th class=\"l\">version</th><th>weight</th><th class=\"l\">role</th><th>requests</th><th>error rate (95 % CI)</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>labelled rows</th><th>{E(metricName)} (95 % CI)</th>");
        html.Append(regression ? "<th>rmse</th>" : "").Append(CultureInfo.InvariantCulture, $"<th class=\"l\">error rate vs champion</th><th class=\"l\">{E(metricName)} vs champion</th></tr>");
        foreach (var v in comparison.Versions)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"l\">{E(v.Version)}</td><td>{(v.Weight is { } w ? w.ToString(CultureInfo.InvariantCulture) + " %" : "left")}</td><td class=\"l\">{v.Role}</td><td>{v.Requests:N0}</td><td>{Interval(v.ErrorRate, P)}</td>");
            html.Append(CultureInfo.InvariantCulture,
                $"<td>{N(v.LatencyP50Ms)}</td><td>{N(v.LatencyP95Ms)}</td><td>{N(v.LatencyP99Ms)}</td><td>{v.LabelledRows:N0}</td><td>{Interval(v.Live, live)}</td>");
            html.Append(regression ? $"<td>{N(v.Rmse)}</td>" : "").Append(CultureInfo.InvariantCulture, $"<td class=\"l\">{Test(v.ErrorRateTest, Points)}</td><td class=\"l\">{Test(v.MetricTest, regression ? N : Points)}</td></tr>");
        }

        html.Append("</table>");
        if (metric is not null)
        {
            html.Append(SvgIntervals.Render($"{metricName} per version of alias {comparison.Alias} with 95 % confidence intervals",
                comparison.Versions.Select(v => ($"version {v.Version}", v.Live)).ToList(), x => live(x)));
        }
    }

    private static void Mirrors(StringBuilder html, IReadOnlyList<MirrorAgreement> mirrors)
    {
        html.Append("<h3>Mirror agreement</h3><table><caption>Mirror copies paired with the answers callers received (same request id and row)</caption>")
            .Append("<tr><th class=\"l\">mirror</th><th>copies</th><th>error rate (95 % CI)</th><th>rows</th><th class=\"l\">primary</th><th>paired rows</th><th>label agreement (95 % CI)</th><th>mean |difference|</th><th>correlation</th></tr>");
        foreach (var m in mirrors)
        {
            var head = string.Create(CultureInfo.InvariantCulture,
                $"<td class=\"l\">{E(m.Mirror)}{(m.Sampled ? " (sampled)" : "")}</td><td>{m.Requests:N0}</td><td>{Interval(m.ErrorRate, P)}</td><td>{m.Rows:N0}</td>");
            if (m.Primaries.Count == 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr>{head}<td class=\"l\">–</td><td>0</td><td>–</td><td>–</td><td>–</td></tr>");
            }

            foreach (var p in m.Primaries)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr>{head}<td class=\"l\">{E(p.Primary)}</td><td>{p.PairedRows:N0}</td><td>{Interval(p.Agreement, P)}</td><td>{N(p.MeanAbsoluteDifference)}</td><td>{N(p.Correlation)}</td></tr>");
            }
        }

        html.Append("</table>");
        if (mirrors.Any(m => m.Sampled))
        {
            html.Append("<p class=\"note\">Sampled: the pairs come from bounded samples of the window's rows (Monitoring:MaxSampleRows per side).</p>");
        }
    }

    private static string Interval(Estimate? estimate, Func<double?, string> format) =>
        estimate is null ? "–" : $"{format(estimate.Value)} [{format(estimate.Low)}, {format(estimate.High)}]";

    private static string Test(VariantTest? test, Func<double?, string> format)
    {
        if (test is null)
        {
            return "–";
        }

        var verdict = $"<span class=\"badge {(test.Verdict == Verdicts.Worse ? "yes" : test.Verdict == Verdicts.Better ? "no" : "")}\">{E(Verdicts.Describe(test.Verdict))}</span>";
        if (test.Difference is not { } difference)
        {
            return test.Note is null ? verdict : $"{verdict} <span class=\"note\">{E(test.Note)}</span>";
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{verdict}: {(difference >= 0 ? "+" : "")}{format(difference)} [{format(test.Low)}, {format(test.High)}], p = {PValue(test.PValue)}");
    }

    private static string PValue(double? p) => p is not { } value ? "–" : value < 1e-4 ? "< 0.0001" : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string P(double? value) => value is { } v ? (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %" : "–";

    /// <summary>A difference of two proportions, in percentage points.</summary>
    private static string Points(double? value) => value is { } v ? (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + " pts" : "–";

    private static string N(double? value) => value is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "–";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
