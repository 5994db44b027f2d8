using System.Globalization;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Reports;

namespace Serverless.Cli;

/// <summary>
/// <c>drift --reference ref.csv --current cur.csv [--json] [--html report.html] [--categorical a,b]
/// [--threshold-share 0.5] [--min-rows 30] [--no-bh] [--fail-on-drift]</c>: loads both CSV files, infers column types,
/// runs <see cref="DriftEngine"/> with its defaults (Evidently's method choice) and prints a table, or the JSON report,
/// and optionally writes the HTML report; with <c>--fail-on-drift</c> a drifted dataset exits
/// <see cref="ExitCodes.DriftFound"/>. Stateless; thread-safe.
/// </summary>
public static class DriftCommand
{
    public const string Usage = """
        Usage: Serverless.Cli drift --reference <ref.csv> --current <cur.csv> [options]

        Compares the distribution of every column of the current CSV with the reference CSV (same column names;
        a header row; comma separated) and reports per-feature and dataset drift.

        Options:
          --reference <path>        reference data (CSV with a header row)             required
          --current <path>          current data (CSV with the same columns)           required
          --json                    print the JSON report instead of the table
          --html <path>             also write a self-contained HTML report with charts
          --categorical <a,b,...>   treat these columns as categorical (default: numeric when every
                                    non-empty cell is a number in the invariant culture)
          --threshold-share <x>     dataset drift when the share of drifted features >= x (default 0.5)
          --min-rows <n>            features with fewer current values are not decided (default 30)
          --no-bh                   decide on raw p-values (no Benjamini-Hochberg correction)
          --fail-on-drift           exit 3 when the dataset drifted (the report is printed all the same)
          --help                    show this help

        Default tests (as Evidently): reference <= 1000 rows: numeric with > 5 distinct values -> Kolmogorov-
        Smirnov; otherwise chi-square (z-test for two values), drift when p < 0.05. Reference > 1000 rows:
        numeric with > 5 distinct values -> Wasserstein distance / reference std; otherwise Jensen-Shannon
        distance, drift when >= 0.1.

        Exit codes: 0 report produced (no drift, or drift without --fail-on-drift), 1 data error (missing,
        empty or malformed file, different columns), 2 usage error (unknown option, missing or invalid value,
        unknown column), 3 the dataset drifted and --fail-on-drift was given.
        """;

    private static readonly string[] Options = ["reference", "current", "html", "categorical", "threshold-share", "min-rows"];
    private static readonly string[] Flags = ["json", "no-bh", "fail-on-drift", "help"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var line = CommandLine.Parse(args, Options, Flags);
        if (line.Has("help"))
        {
            await stdout.WriteAsync(Usage).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var referencePath = line.Required("reference");
        var currentPath = line.Required("current");
        var options = DriftOptions.Default with
        {
            DriftShareThreshold = ParseShare(line.Value("threshold-share")),
            MinimumCurrentRows = ParseMinRows(line.Value("min-rows")),
            BenjaminiHochberg = !line.Has("no-bh"),
        };
        var categorical = ParseList(line.Value("categorical"));

        var reference = CsvColumns.Read(referencePath);
        var current = CsvColumns.Read(currentPath);
        CsvColumns.EnsureSameColumns(reference, current);
        var unknown = categorical.Where(c => !reference.Header.Contains(c, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw CliException.ForUsage(
                $"--categorical names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, not a column of the files (columns: {string.Join(", ", reference.Header.Select(h => $"'{h}'"))}).");
        }

        var numeric = CsvColumns.InferNumeric(reference, current, categorical);
        var referenceColumns = CsvColumns.ToColumns(reference, reference.Header, numeric);
        var currentColumns = CsvColumns.ToColumns(current, reference.Header, numeric);
        var report = DriftEngine.Compare(referenceColumns, currentColumns, reference.RowCount, current.RowCount, options);

        if (line.Value("html") is { } htmlPath)
        {
            var html = DriftHtmlRenderer.Render(report, DriftHistograms.FromColumns(referenceColumns, currentColumns), $"Data drift: {Path.GetFileName(currentPath)} vs {Path.GetFileName(referencePath)}");
            try
            {
                await File.WriteAllTextAsync(htmlPath, html).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CliException.ForData($"Cannot write '{htmlPath}': {e.Message}", e);
            }
        }

        await stdout.WriteAsync(line.Has("json") ? report.ToJson(indented: true) + "\n" : DriftTable.Format(report)).ConfigureAwait(false);
        return report.DatasetDrift && line.Has("fail-on-drift") ? ExitCodes.DriftFound : ExitCodes.Success;
    }

    private static double ParseShare(string? text)
    {
        if (text is null)
        {
            return DriftOptions.Default.DriftShareThreshold;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1
            ? share
            : throw CliException.ForUsage($"--threshold-share must be a number between 0 and 1, not '{text}'.");
    }

    private static int ParseMinRows(string? text)
    {
        if (text is null)
        {
            return DriftOptions.Default.MinimumCurrentRows;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
            ? rows
            : throw CliException.ForUsage($"--min-rows must be a non-negative whole number, not '{text}'.");
    }

    private static HashSet<string> ParseList(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
