using System.Globalization;
using Serverless.Core.Monitoring.Drift;

namespace Serverless.Cli;

/// <summary>
/// Formats a <see cref="DriftReport"/> as a plain-text table (feature, type, method, statistic, p-value,
/// adjusted p, threshold, drifted, note) followed by the dataset drift line. Invariant culture. Pure; thread-safe.
/// </summary>
public static class DriftTable
{
    private static readonly string[] Headings = ["feature", "type", "method", "statistic", "p-value", "adjusted p", "threshold", "drifted", "note"];

    public static string Format(DriftReport report)
    {
        var rows = report.Features.Select(f => new[]
        {
            f.Name,
            f.Type,
            f.Method,
            Number(f.Statistic),
            Number(f.PValue),
            Number(f.AdjustedPValue),
            Number(f.Threshold),
            f.Drifted ? "yes" : "no",
            f.Note ?? "",
        }).ToList();
        var widths = Headings.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new System.Text.StringBuilder();
        AppendRow(text, Headings, widths);
        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        text.AppendLine();
        var comparison = report.DatasetDrift ? ">=" : "<";
        text.Append(CultureInfo.InvariantCulture, $"Dataset drift: {(report.DatasetDrift ? "yes" : "no")} ({report.DriftedCount} of {report.Features.Count} features drifted, ");
        text.Append(CultureInfo.InvariantCulture, $"share {Number(report.DriftShare)} {comparison} {Number(report.Options.DriftShareThreshold)}; ");
        text.Append(CultureInfo.InvariantCulture, $"{report.NReference} reference rows, {report.NCurrent} current rows)");
        text.AppendLine();
        return text.ToString();
    }

    private static void AppendRow(System.Text.StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        text.Append('\n');
    }

    private static string Number(double? value) => value switch
    {
        null => "-",
        double.PositiveInfinity => "inf",
        { } v => v.ToString("G4", CultureInfo.InvariantCulture),
    };
}
