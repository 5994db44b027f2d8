using System.Globalization;
using System.Net;
using System.Text;

namespace Serverless.Core.Retraining;

/// <summary>
/// The retraining section of a report page: a table of the runs (newest first: when, trigger, champion and challenger,
/// the challenger's validation figure and whether it warm-started from the champion, where it is or how it ended, and why), then for each of the newest <see cref="MaxCharts"/> runs that have live readings a
/// chart of the champion's and the challenger's live metric over time through the shadow and the rollout steps
/// (<see cref="SvgLiveMetric"/>) with the same figures in a table. Every text is encoded. Pure; thread-safe.
/// </summary>
public static class RetrainingHtml
{
    /// <summary>The most runs charted.</summary>
    public const int MaxCharts = 3;

    /// <summary>The section; empty when there are no runs.</summary>
    public static string Render(IReadOnlyList<RetrainingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            return "";
        }

        var html = new StringBuilder("<h2>Retraining</h2>");
        html.Append("<p class=\"note\">The closed loop's runs of this model, newest first, as they stood when this page was written. ")
            .Append("The live metric compares the challenger with the champion on labelled traffic since each stage began (in the shadow, on the very rows the champion answered).</p>");
        html.Append("<table><tr><th class=\"l\">run</th><th class=\"l\">started (UTC)</th><th class=\"l\">trigger</th><th>champion</th><th>challenger</th><th class=\"l\">trained</th>")
            .Append("<th class=\"l\">status</th><th class=\"l\">decision</th><th class=\"l\">why</th></tr>");
        foreach (var run in runs)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"l\">{E(run.RunId)}</td><td class=\"l\">{run.CreatedUtc:yyyy-MM-dd HH:mm:ss}</td><td class=\"l\">{E(run.Trigger.Kind)}</td>" +
                $"<td>{E(run.Champion ?? "–")}</td><td>{E(run.Sweep?.Challenger ?? "–")}</td><td class=\"l\">{E(Trained(run.Sweep))}</td><td class=\"l\">{E(Status(run))}</td>" +
                $"<td class=\"l\">{E(run.Decision ?? "–")}</td><td class=\"l\">{E(run.Reason ?? run.Trigger.Message)}</td></tr>");
        }

        html.Append("</table>");
        foreach (var run in runs.Where(r => r.Steps.Any(s => s.Comparison.Metric is not null)).Take(MaxCharts))
        {
            var metric = run.Steps.Select(s => s.Comparison.Metric).First(m => m is not null)!;
            html.Append(CultureInfo.InvariantCulture,
                $"<h3>{E(run.RunId)}: live {E(metric)} of challenger {E(run.Sweep?.Challenger ?? "?")} and champion {E(run.Champion ?? "?")}</h3>");
            html.Append(SvgLiveMetric.Render($"Live {metric} of the challenger and the champion over time, run {run.RunId}", run.Steps));
            html.Append("<table><tr><th class=\"l\">at (UTC)</th><th class=\"l\">stage</th><th>weight</th><th>challenger</th><th>rows</th><th>champion</th><th>rows</th><th class=\"l\">verdict</th></tr>");
            foreach (var step in run.Steps)
            {
                var c = step.Comparison;
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td class=\"l\">{step.AtUtc:HH:mm:ss}</td><td class=\"l\">{E(step.Stage)}</td><td>{step.Weight} %</td><td>{N(c.ChallengerValue)}</td><td>{c.ChallengerRows:N0}</td>" +
                    $"<td>{N(c.ChampionValue)}</td><td>{c.ChampionRows:N0}</td><td class=\"l\">{E(step.Verdict)}</td></tr>");
            }

            html.Append("</table>");
        }

        return html.ToString();
    }

    /// <summary>The challenger's validation figure and how it was trained (warm-started from the champion or not, and why).</summary>
    private static string Trained(RetrainingSweep? sweep) => sweep is null
        ? "–"
        : $"{(sweep.ValidationValue is { } v ? $"validation {sweep.Metric} {N(v)}; " : "")}{(sweep.WarmStart ? "warm start" : "from scratch")}: {sweep.WarmStartNote}";

    private static string Status(RetrainingRun run) => run.IsRunning ? $"{run.Status.Replace('_', ' ')} ({run.Stage.Replace('_', ' ')})" : run.Status;

    private static string N(double? value) => value is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "–";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
