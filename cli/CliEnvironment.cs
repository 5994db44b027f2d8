using Azure.Core;

namespace Serverless.Cli;

/// <summary>
/// What the CLI takes from outside its arguments: environment variables, whether stdout is a terminal, and (for tests) the
/// HTTP handler and Entra credential to use instead of the network's. Immutable.
/// </summary>
public sealed record CliEnvironment(Func<string, string?> Variable, bool IsTerminal)
{
    /// <summary>The API calls go through this handler instead of the network (tests).</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>The credential <c>--entra</c> and storage URLs use instead of <c>DefaultAzureCredential</c> (tests).</summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>The process's variables; a terminal when stdout is not redirected, <c>CI</c> is not set and <c>TERM</c> is not <c>dumb</c>.</summary>
    public static CliEnvironment FromProcess() => new(Environment.GetEnvironmentVariable,
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb");

    /// <summary>The process's variables, never a terminal: plain output, as when it is redirected.</summary>
    public static CliEnvironment Redirected() => new(Environment.GetEnvironmentVariable, IsTerminal: false);
}
