namespace Serverless.Cli;

/// <summary>A failure the CLI reports as one message on stderr with <see cref="ExitCode"/>.</summary>
public sealed class CliException : Exception
{
    public CliException(int exitCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }

    public static CliException ForUsage(string message) => new(ExitCodes.UsageError, message);

    public static CliException ForData(string message, Exception? inner = null) => new(ExitCodes.DataError, message, inner);
}
