using System.CommandLine;

namespace Serverless.Cli.Commands;

/// <summary>What a command does once its line is parsed: reads the context, returns an exit code.</summary>
public delegate Task<int> CliAction(CliContext context, CancellationToken cancellationToken);

/// <summary>
/// One run of the CLI: its writers, environment and global options, which every command's action is bound to
/// (<see cref="Bind"/>). The action runs under <c>--timeout</c>: when it runs out, <see cref="ExitCodes.Timeout"/>.
/// Not thread-safe; one per run.
/// </summary>
public sealed class CliRun
{
    public CliRun(TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {
        Stdout = stdout;
        Stderr = stderr;
        Environment = environment;
    }

    public GlobalOptions Globals { get; } = new();

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public CliEnvironment Environment { get; }

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="action"/> with a fresh context and the time limit.</summary>
    public Command Bind(Command command, CliAction action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CliContext(parse, Globals, Stdout, Stderr, Environment);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(context.Timeout);
            try
            {
                return await action(context, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Timeout, $"Timed out after {Seconds(context.Timeout)} (--timeout).", e);
            }
        });
        return command;
    }

    internal static string Seconds(TimeSpan duration) => duration.TotalSeconds < 120
        ? FormattableString.Invariant($"{duration.TotalSeconds:0.#} s")
        : FormattableString.Invariant($"{duration.TotalMinutes:0.#} min");
}
