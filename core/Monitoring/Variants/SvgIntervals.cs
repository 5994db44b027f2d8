using System.Globalization;
using System.Net;
using System.Text;

namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// Draws estimates with their confidence intervals as inline SVG (no namespace URI, no external reference): one row per
/// item, a dot at the value and a whisker from low to high on a shared axis, the first item (the champion) drawn in its
/// own colour. Every mark has a <c>title</c> with its figures and the chart an <c>aria-label</c>; the page's table holds
/// the same figures for readers who cannot see the chart. Pure; thread-safe.
/// </summary>
internal static class SvgIntervals
{
    private const int Width = 640;
    private const int Left = 120;
    private const int Right = 24;
    private const int Top = 8;
    private const int RowHeight = 26;
    private const int Bottom = 28;

    /// <summary>The chart; <paramref name="format"/> writes a value for the axis and titles. Items without an estimate are listed without a mark.</summary>
    public static string Render(string label, IReadOnlyList<(string Name, Estimate? Estimate)> items, Func<double, string> format)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(format);
        var shown = items.Where(i => i.Estimate is not null).Select(i => i.Estimate!).ToList();
        var min = shown.Count == 0 ? 0 : shown.Min(e => e.Low);
        var max = shown.Count == 0 ? 1 : shown.Max(e => e.High);
        if (max - min < 1e-12)
        {
            (min, max) = (min - 0.5, max + 0.5);
        }

        var pad = (max - min) * 0.05;
        (min, max) = (min - pad, max + pad);
        var height = Top + (items.Count * RowHeight) + Bottom;
        var plot = Width - Left - Right;
        double X(double value) => Left + ((value - min) / (max - min) * plot);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"{Encode(label)}\">");
        var axis = Top + (items.Count * RowHeight);
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{axis}\" x2=\"{Width - Right}\" y2=\"{axis}\" class=\"axis\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{axis + 14}\" class=\"tick\" text-anchor=\"start\">{Encode(format(min))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{axis + 14}\" class=\"tick\" text-anchor=\"end\">{Encode(format(max))}</text>");
        for (var i = 0; i < items.Count; i++)
        {
            var (name, estimate) = items[i];
            var y = Top + (i * RowHeight) + (RowHeight / 2);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{y + 4}\" class=\"tick\" text-anchor=\"end\">{Encode(Truncate(name))}</text>");
            if (estimate is null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 4}\" y=\"{y + 4}\" class=\"tick\">no estimate</text>");
                continue;
            }

            var css = i == 0 ? "champion" : "challenger";
            var title = $"{name}: {format(estimate.Value)} (95 % CI {format(estimate.Low)} – {format(estimate.High)})";
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"{css}\"><title>{Encode(title)}</title><line x1=\"{F(X(estimate.Low))}\" y1=\"{y}\" x2=\"{F(X(estimate.High))}\" y2=\"{y}\" class=\"whisker\"/>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{F(X(estimate.Low))}\" y1=\"{y - 5}\" x2=\"{F(X(estimate.Low))}\" y2=\"{y + 5}\" class=\"whisker\"/><line x1=\"{F(X(estimate.High))}\" y1=\"{y - 5}\" x2=\"{F(X(estimate.High))}\" y2=\"{y + 5}\" class=\"whisker\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(estimate.Value))}\" cy=\"{y}\" r=\"4\"/></g>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Truncate(string label) => label.Length <= 18 ? label : string.Concat(label.AsSpan(0, 17), "…");

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
