using System.CommandLine;
using System.Globalization;
using Serverless.Cli.Commands;
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
    /// <summary>The help's description: what is compared, the default tests and the exit codes.</summary>
    public const string Details = """
        Compares the distribution of every column of the current CSV with the reference CSV (same column names;
        a header row; comma separated) and reports per-feature and dataset drift.

        Default tests (as Evidently): reference <= 1000 rows: numeric with > 5 distinct values -> Kolmogorov-
        Smirnov; otherwise chi-square (z-test for two values), drift when p < 0.05. Reference > 1000 rows:
        numeric with > 5 distinct values -> Wasserstein distance / reference std; otherwise Jensen-Shannon
        distance, drift when >= 0.1.

        Exit codes: 0 report produced (no drift, or drift without --fail-on-drift), 1 data error (missing,
        empty or malformed file, different columns), 2 usage error (unknown option, missing or invalid value,
        unknown column), 3 the dataset drifted and --fail-on-drift was given.
        """;

    public static Command Create(CliRun run)
    {
        var reference = new Option<string>("--reference") { Description = "reference data (CSV with a header row)", Required = true, HelpName = "path" };
        var current = new Option<string>("--current") { Description = "current data (CSV with the same columns)", Required = true, HelpName = "path" };
        var json = new Option<bool>("--json") { Description = "print the JSON report instead of the table (as -o json)" };
        var html = new Option<string?>("--html") { Description = "also write a self-contained HTML report with charts", HelpName = "path" };
        var categorical = new Option<string?>("--categorical")
        {
            Description = "treat these columns as categorical (default: numeric when every non-empty cell is a number in the invariant culture)",
            HelpName = "a,b,...",
        };
        var share = new Option<string?>("--threshold-share") { Description = "dataset drift when the share of drifted features >= x (default 0.5)", HelpName = "x" };
        var minRows = new Option<string?>("--min-rows") { Description = "features with fewer current values are not decided (default 30)", HelpName = "n" };
        var noBh = new Option<bool>("--no-bh") { Description = "decide on raw p-values (no Benjamini-Hochberg correction)" };
        var failOnDrift = new Option<bool>("--fail-on-drift") { Description = "exit 3 when the dataset drifted (the report is printed all the same)" };
        var command = new Command("drift", "Compare a current CSV with a reference CSV for data drift (per feature and dataset); --fail-on-drift exits 3 when it drifted.")
        {
            reference, current, json, html, categorical, share, minRows, noBh, failOnDrift,
        };
        return run.Bind(command, (context, _) => RunAsync(new Arguments(
            context.Value(reference), context.Value(current), context.Value(json) || context.Output.IsJson, context.Value(html), context.Value(categorical),
            context.Value(share), context.Value(minRows), context.Value(noBh), context.Value(failOnDrift)), context.Stdout));
    }

    private sealed record Arguments(string Reference, string Current, bool Json, string? Html, string? Categorical, string? ThresholdShare, string? MinRows,
        bool NoBh, bool FailOnDrift);

    private static async Task<int> RunAsync(Arguments line, TextWriter stdout)
    {
        var referencePath = line.Reference;
        var currentPath = line.Current;
        var options = DriftOptions.Default with
        {
            DriftShareThreshold = ParseShare(line.ThresholdShare),
            MinimumCurrentRows = ParseMinRows(line.MinRows),
            BenjaminiHochberg = !line.NoBh,
        };
        var categorical = ParseList(line.Categorical);

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

        if (line.Html is { } htmlPath)
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

        await stdout.WriteAsync(line.Json ? report.ToJson(indented: true) + "\n" : DriftTable.Format(report)).ConfigureAwait(false);
        return report.DatasetDrift && line.FailOnDrift ? ExitCodes.DriftFound : ExitCodes.Success;
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
