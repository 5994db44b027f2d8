using System.Globalization;
using System.Net;
using System.Text;

namespace Serverless.Core.Retraining;

/// <summary>
/// Draws a run's readings as inline SVG (no namespace URI, no external reference, colours as attributes): time across, the
/// metric up, one line for the champion and one for the challenger (readings without a value are skipped), a dashed rule
/// and a label where the stage or the rollout's weight changes, and a <c>title</c> on every point with its figures. The
/// page's table holds the same figures for readers who cannot see the chart. Pure; thread-safe.
/// </summary>
public static class SvgLiveMetric
{
    public const string ChampionColour = "#1c64f2";
    public const string ChallengerColour = "#f0a04b";

    private const int Width = 640;
    private const int Height = 240;
    private const int Left = 56;
    private const int Right = 16;
    private const int Top = 28;
    private const int Bottom = 28;

    public static string Render(string label, IReadOnlyList<RetrainingStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var values = steps.SelectMany(s => new[] { s.Comparison.ChallengerValue, s.Comparison.ChampionValue }).OfType<double>().ToList();
        var (low, high) = values.Count == 0 ? (0.0, 1.0) : (values.Min(), values.Max());
        if (high - low < 1e-9)
        {
            (low, high) = (low - 0.05, high + 0.05);
        }

        var pad = (high - low) * 0.1;
        (low, high) = (low - pad, high + pad);
        var start = steps.Count == 0 ? DateTimeOffset.UnixEpoch : steps.Min(s => s.AtUtc);
        var span = steps.Count == 0 ? 0 : (steps.Max(s => s.AtUtc) - start).TotalSeconds;
        double X(DateTimeOffset at) => span <= 0 ? Left + ((Width - Left - Right) / 2.0) : Left + ((at - start).TotalSeconds / span * (Width - Left - Right));
        double Y(double value) => Top + ((high - value) / (high - low) * (Height - Top - Bottom));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{E(label)}\">");
        var axis = Height - Bottom;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{axis}\" x2=\"{Width - Right}\" y2=\"{axis}\" stroke=\"#888\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{axis}\" stroke=\"#888\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{F(Y(high - pad) + 4)}\" font-size=\"11\" text-anchor=\"end\">{N(high - pad)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{F(Y(low + pad) + 4)}\" font-size=\"11\" text-anchor=\"end\">{N(low + pad)}</text>");
        if (steps.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{axis + 16}\" font-size=\"11\">{steps[0].AtUtc:HH:mm:ss}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{axis + 16}\" font-size=\"11\" text-anchor=\"end\">{steps[^1].AtUtc:HH:mm:ss} UTC</text>");
        }

        string? previous = null;
        foreach (var step in steps)
        {
            var phase = Phase(step);
            if (phase != previous)
            {
                var x = F(X(step.AtUtc));
                svg.Append(CultureInfo.InvariantCulture,
                    $"<line x1=\"{x}\" y1=\"{Top - 12}\" x2=\"{x}\" y2=\"{axis}\" stroke=\"#bbb\" stroke-dasharray=\"3 3\"/><text x=\"{x}\" y=\"{Top - 16}\" font-size=\"11\">{E(phase)}</text>");
                previous = phase;
            }
        }

        Line(svg, steps, s => s.Comparison.ChampionValue, s => s.Comparison.ChampionRows, "champion", ChampionColour, X, Y);
        Line(svg, steps, s => s.Comparison.ChallengerValue, s => s.Comparison.ChallengerRows, "challenger", ChallengerColour, X, Y);
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Width - Right}\" y=\"12\" font-size=\"11\" text-anchor=\"end\"><tspan fill=\"{ChampionColour}\">● champion</tspan> <tspan fill=\"{ChallengerColour}\">● challenger</tspan></text>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Line(StringBuilder svg, IReadOnlyList<RetrainingStep> steps, Func<RetrainingStep, double?> value, Func<RetrainingStep, long> rows, string who, string colour,
        Func<DateTimeOffset, double> x, Func<double, double> y)
    {
        var points = steps.Where(s => value(s) is not null).ToList();
        if (points.Count == 0)
        {
            return;
        }

        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{who}\"><polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"");
        svg.AppendJoin(' ', points.Select(p => $"{F(x(p.AtUtc))},{F(y(value(p)!.Value))}"));
        svg.Append("\"/>");
        foreach (var p in points)
        {
            var title = string.Create(CultureInfo.InvariantCulture, $"{who} at {p.AtUtc:HH:mm:ss} UTC ({Phase(p)}): {N(value(p)!.Value)} on {rows(p):N0} labelled rows; {p.Verdict}");
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x(p.AtUtc))}\" cy=\"{F(y(value(p)!.Value))}\" r=\"3\" fill=\"{colour}\"><title>{E(title)}</title></circle>");
        }

        svg.Append("</g>");
    }

    private static string Phase(RetrainingStep step) => step.Stage == RetrainingStages.Shadow ? "shadow" : string.Create(CultureInfo.InvariantCulture, $"{step.Stage} {step.Weight} %");

    private static string N(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
