using System.Text;
using Serverless.Core.Samples;

namespace Serverless.Cli.Samples;

/// <summary>
/// <c>samples DIR [--rows 3000] [--seed 42]</c>: writes the example datasets the README uses — <c>churn.csv</c>
/// (labelled customers to train on) and <c>customers.csv</c> (new customers to score, without the label) — generated
/// with a known signal (<see cref="ChurnDataset"/>), the same for the same seed. Stateless; thread-safe.
/// </summary>
public static class SamplesCommand
{
    public const string Usage = """
        Usage: Serverless.Cli samples <folder> [options]

        Writes example data with a known signal into <folder> (created if missing):
          churn.csv       labelled customers to train on: customer_id,tenure,charges,contract,noise,churned
          customers.csv   new customers to score (the same columns without churned)

        Options:
          --rows <n>      rows of churn.csv, 100 to 1,000,000 (default 3000); customers.csv has a third of that
          --seed <n>      seed of the generator (default 42)
          --help          show this help
        """;

    private static readonly string[] Options = ["rows", "seed"];
    private static readonly string[] Flags = ["help"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout)
    {
        var line = CommandLine.Parse(args, Options, Flags, minPositionals: 1, maxPositionals: 1);
        if (line.Has("help"))
        {
            await stdout.WriteAsync(Usage).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var rows = line.Integer("rows", 3000, 100, 1_000_000);
        var seed = line.Integer("seed", 42, 0, int.MaxValue - 1);
        var folder = line.Positionals[0];
        try
        {
            Directory.CreateDirectory(folder);
            await WriteAsync(Path.Combine(folder, "churn.csv"), ChurnDataset.Csv(rows, seed), stdout).ConfigureAwait(false);
            await WriteAsync(Path.Combine(folder, "customers.csv"), ChurnDataset.Csv(Math.Max(1, rows / 3), seed + 1, withLabel: false, idPrefix: "n"), stdout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.ForData($"Cannot write into '{folder}': {e.Message}", e);
        }

        return ExitCodes.Success;
    }

    private static async Task WriteAsync(string path, string csv, TextWriter stdout)
    {
        await File.WriteAllTextAsync(path, csv, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)).ConfigureAwait(false);
        var rows = csv.Count(c => c == '\n') - 1;
        await stdout.WriteLineAsync($"wrote {path} ({rows:N0} rows)").ConfigureAwait(false);
    }
}
