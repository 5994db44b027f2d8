using System.Globalization;
using System.Net;
using System.Text;

namespace Serverless.Core.Monitoring.Reports;

/// <summary>
/// Draws a <see cref="FeatureHistogram"/> as inline SVG (no namespace URI, no external reference): per bin a
/// reference bar and a current bar, each the bin's share of its own sample; numeric bins labelled by their first
/// and last edge, categorical bars by category (truncated). Pure; thread-safe.
/// </summary>
internal static class SvgHistogram
{
    private const int Width = 640;
    private const int Height = 240;
    private const int Left = 48;
    private const int Right = 12;
    private const int Top = 12;
    private const int Bottom = 64;

    public static string Render(FeatureHistogram histogram)
    {
        histogram.Validate();
        var reference = Shares(histogram.Reference);
        var current = Shares(histogram.Current);
        var max = Math.Max(reference.DefaultIfEmpty().Max(), current.DefaultIfEmpty().Max());
        max = max <= 0 ? 1 : max;
        var bins = reference.Length;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var slot = (double)plotWidth / bins;
        var bar = Math.Max(slot * 0.4, 0.5);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(histogram.Name)}: reference vs current\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight}\" class=\"axis\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\" class=\"axis\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Top + 4}\" class=\"tick\" text-anchor=\"end\">{Percent(max)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Top + plotHeight}\" class=\"tick\" text-anchor=\"end\">0%</text>");
        for (var i = 0; i < bins; i++)
        {
            var x = Left + (i * slot) + ((slot - (2 * bar)) / 2);
            AppendBar(svg, "ref", x, bar, reference[i], max, plotHeight, histogram.Reference[i]);
            AppendBar(svg, "cur", x + bar, bar, current[i], max, plotHeight, histogram.Current[i]);
            if (histogram.Categories is { } categories)
            {
                var cx = Left + (i * slot) + (slot / 2);
                var y = Top + plotHeight + 10;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(cx)}\" y=\"{y}\" class=\"tick\" text-anchor=\"end\" transform=\"rotate(-40 {F(cx)} {y})\">{Encode(Truncate(categories[i]))}</text>");
            }
        }

        if (histogram.Edges is { } edges)
        {
            var y = Top + plotHeight + 14;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{y}\" class=\"tick\" text-anchor=\"start\">{Number(edges[0])}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{y}\" class=\"tick\" text-anchor=\"end\">{Number(edges[^1])}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void AppendBar(StringBuilder svg, string cssClass, double x, double width, double share, double max, int plotHeight, long count)
    {
        var height = share / max * plotHeight;
        var y = Top + plotHeight - height;
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cssClass}\" x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(width)}\" height=\"{F(height)}\"><title>{count} ({Percent(share)})</title></rect>");
    }

    private static double[] Shares(IReadOnlyList<long> counts)
    {
        double total = counts.Sum();
        return counts.Select(c => total > 0 ? c / total : 0).ToArray();
    }

    private static string Truncate(string label) => label.Length <= 14 ? label : string.Concat(label.AsSpan(0, 13), "…");

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("G5", CultureInfo.InvariantCulture);

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
