using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Serverless.Cli.Commands;
using Serverless.Cli.Data;
using Serverless.Cli.Samples;

namespace Serverless.Cli;

/// <summary>
/// The CLI (<c>sls</c> as a .NET tool, <c>dotnet run --project cli --</c> from the repository): a System.CommandLine
/// tree of commands, each turning failures into one message on stderr and an exit code (<see cref="ExitCodes"/>). Writes
/// only to the given writers, so tests run it in process. Stateless; thread-safe (each run builds its own tree).
/// </summary>
public static class CliApp
{
    public const string Name = "sls";

    /// <summary>Runs with the process's environment and plain output (never a terminal): what tests and redirected runs see.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdout, stderr, CliEnvironment.Redirected());

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var run = new CliRun(stdout, stderr, environment);
        var root = CreateRoot(run);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not CommandLineAction { ClearsParseErrors: true })
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await stderr.WriteLineAsync($"Run '{Name} {CommandPath(parse)}--help' for the options.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            if (e.ExitCode == ExitCodes.UsageError)
            {
                await stderr.WriteLineAsync($"Run '{Name} {CommandPath(parse)}--help' for the options.").ConfigureAwait(false);
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

    /// <summary>The command tree, its actions bound to <paramref name="run"/>.</summary>
    public static Command CreateRoot(CliRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var root = new Command(Name, Description);
        var help = new HelpOption();
        root.Options.Add(help);
        root.Options.Add(new VersionOption());
        foreach (var option in run.Globals.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(ModelsCommands.Create(run));
        root.Subcommands.Add(PredictCommand.Create(run));
        root.Subcommands.Add(WorkflowCommands.CreateScore(run));
        root.Subcommands.Add(SweepCommands.Create(run));
        root.Subcommands.Add(MonitorCommands.Create(run));
        root.Subcommands.Add(RetrainCommands.Create(run));
        root.Subcommands.Add(WorkflowCommands.CreateStatus(run));
        root.Subcommands.Add(WorkflowCommands.CreateTerminate(run));
        root.Subcommands.Add(DataCommand.Create(run));
        root.Subcommands.Add(SamplesCommand.Create(run));
        var drift = DriftCommand.Create(run);
        root.Subcommands.Add(drift);
        help.Action = new DetailedHelpAction((HelpAction)help.Action!, new Dictionary<Command, string>
        {
            [root] = "Exit codes:\n" + string.Join("\n", ExitCodes.Table.Select(e => $"  {e.Code}  {e.Meaning}")),
            [drift] = DriftCommand.Details,
        });
        return root;
    }

    private const string Description = "The operator's CLI for the serverless ONNX serving app: models and aliases, predictions, batch scoring, " +
        "training sweeps, monitoring, data files and drift reports, against the local runner (the default) or a deployed app.";

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }

        return names.Count == 0 ? "" : string.Join(' ', names) + " ";
    }
}
