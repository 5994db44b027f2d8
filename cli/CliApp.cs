using Serverless.Cli.Data;
using Serverless.Cli.Samples;

namespace Serverless.Cli;

/// <summary>
/// The CLI: dispatches the command (<c>drift</c>, <c>data</c>, <c>samples</c>) and turns failures into a message on stderr and an exit code
/// (<see cref="ExitCodes"/>). Writes only to the given writers, so tests run it in process. Stateless; thread-safe.
/// </summary>
public static class CliApp
{
    public const string Usage = """
        Usage: Serverless.Cli <command> [options]

        Commands:
          drift     compare a current CSV with a reference CSV for data drift (drift --help for options)
          data      upload, download and list files in the app's data containers (data --help)
          samples   write the example datasets the README uses into a folder (samples --help)

        Options:
          --help    show this help
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            if (args.Length == 0)
            {
                await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            switch (args[0])
            {
                case "--help" or "-h" or "help":
                    await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
                    return ExitCodes.Success;
                case "drift":
                    return await DriftCommand.RunAsync(args[1..], stdout, stderr).ConfigureAwait(false);
                case "data":
                    return await DataCommand.RunAsync(args[1..], stdout, Environment.GetEnvironmentVariable).ConfigureAwait(false);
                case "samples":
                    return await SamplesCommand.RunAsync(args[1..], stdout).ConfigureAwait(false);
                default:
                    await stderr.WriteLineAsync($"error: unknown command '{args[0]}'.\n\n{Usage}").ConfigureAwait(false);
                    return ExitCodes.UsageError;
            }
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            if (e.ExitCode == ExitCodes.UsageError)
            {
                await stderr.WriteLineAsync($"Run 'Serverless.Cli {args[0]} --help' for the options.").ConfigureAwait(false);
            }

            return e.ExitCode;
        }
        catch (ArgumentException e)
        {
            // The engine's own checks on the data (its ArgumentExceptions) are data errors too.
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.DataError;
        }
    }
}
