using System.CommandLine;
using System.Text;
using Serverless.Cli.Commands;
using Serverless.Cli.Output;
using Serverless.Core.Samples;

namespace Serverless.Cli.Samples;

/// <summary>
/// <c>samples DIR [--rows 3000] [--seed 42]</c>: writes the example datasets the README uses — <c>churn.csv</c>
/// (labelled customers to train on) and <c>customers.csv</c> (new customers to score, without the label) — generated
/// with a known signal (<see cref="ChurnDataset"/>), the same for the same seed. Stateless; thread-safe.
/// </summary>
public static class SamplesCommand
{
    public static Command Create(CliRun run)
    {
        var folder = new Argument<string>("folder") { Description = "where to write churn.csv and customers.csv (created if missing)" };
        var rows = new Option<int>("--rows") { Description = "rows of churn.csv, 100 to 1,000,000; customers.csv has a third of that", DefaultValueFactory = _ => 3000 };
        var seed = new Option<int>("--seed") { Description = "seed of the generator", DefaultValueFactory = _ => 42 };
        var command = new Command("samples",
            "Write example data with a known signal into a folder: churn.csv (labelled customers to train on: customer_id,tenure,charges,contract,noise,churned) " +
            "and customers.csv (new customers to score, without churned).") { folder, rows, seed };
        return run.Bind(command, (context, _) => RunAsync(context.Value(folder), context.Value(rows), context.Value(seed), context.Output));
    }

    private static async Task<int> RunAsync(string folder, int rows, int seed, CliOutput output)
    {
        if (rows is < 100 or > 1_000_000)
        {
            throw CliException.ForUsage($"--rows must be a whole number from 100 to 1,000,000, not {rows}.");
        }

        if (seed is < 0 or int.MaxValue)
        {
            throw CliException.ForUsage($"--seed must be a whole number from 0 to {int.MaxValue - 1:N0}, not {seed}.");
        }

        try
        {
            Directory.CreateDirectory(folder);
            await WriteAsync(Path.Combine(folder, "churn.csv"), ChurnDataset.Csv(rows, seed), output).ConfigureAwait(false);
            await WriteAsync(Path.Combine(folder, "customers.csv"), ChurnDataset.Csv(Math.Max(1, rows / 3), seed + 1, withLabel: false, idPrefix: "n"), output).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.ForData($"Cannot write into '{folder}': {e.Message}", e);
        }

        return ExitCodes.Success;
    }

    private static async Task WriteAsync(string path, string csv, CliOutput output)
    {
        await File.WriteAllTextAsync(path, csv, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)).ConfigureAwait(false);
        var rows = csv.Count(c => c == '\n') - 1;
        output.Line($"wrote {path} ({rows:N0} rows)");
    }
}
