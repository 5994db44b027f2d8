using System.CommandLine;
using Azure.Core;
using Azure.Identity;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// One invocation's surroundings: the writers, the environment, the global options as given and the API client they
/// describe (created on first use). Not thread-safe; one per run.
/// </summary>
public sealed class CliContext : IDisposable
{
    private readonly GlobalOptions _globals;
    private ApiClient? _api;
    private TokenCredential? _credential;

    public CliContext(ParseResult parse, GlobalOptions globals, TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {
        Parse = parse;
        _globals = globals;
        Environment = environment;
        Stdout = stdout;
        Stderr = stderr;
        Output = new CliOutput(stdout, stderr, parse.GetValue(globals.Format) == "json", environment.IsTerminal);
    }

    public ParseResult Parse { get; }

    public CliEnvironment Environment { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public CliOutput Output { get; }

    public TimeSpan Timeout => Parse.GetValue(_globals.Timeout);

    public Uri Endpoint
    {
        get
        {
            var text = Parse.GetValue(_globals.Endpoint) ?? Environment.Variable(GlobalOptions.EndpointVariable);
            text = string.IsNullOrWhiteSpace(text) ? GlobalOptions.DefaultEndpoint : text.Trim();
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.Query)
                ? uri
                : throw CliException.ForUsage($"--endpoint must be an http(s) URL such as {GlobalOptions.DefaultEndpoint}, not '{Shown(text)}'.");
        }
    }

    /// <summary>Entra tokens (for <c>--entra</c> and storage URLs): the environment's credential, else DefaultAzureCredential.</summary>
    public TokenCredential Credential => _credential ??= Environment.Credential ?? new DefaultAzureCredential();

    public ApiClient Api => _api ??= CreateApi();

    public T Value<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public void Dispose() => _api?.Dispose();

    internal static string Shown(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private ApiClient CreateApi()
    {
        var endpoint = Endpoint;
        var key = Parse.GetValue(_globals.Key) ?? Environment.Variable(GlobalOptions.KeyVariable);
        Func<CancellationToken, ValueTask<string>>? token = null;
        if (Parse.GetValue(_globals.Entra))
        {
            var scope = Parse.GetValue(_globals.EntraScope) ?? Environment.Variable(GlobalOptions.ScopeVariable);
            scope = string.IsNullOrWhiteSpace(scope) ? endpoint.GetLeftPart(UriPartial.Authority) + "/.default" : scope;
            token = async cancellationToken =>
            {
                try
                {
                    var access = await Credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken).ConfigureAwait(false);
                    return access.Token;
                }
                catch (AuthenticationFailedException e)
                {
                    throw new CliException(ExitCodes.ApiRefused, $"No Entra token for {scope}: {e.Message.Split('\n')[0]}", e);
                }
            };
        }

        return new ApiClient(endpoint, string.IsNullOrWhiteSpace(key) ? null : key, token, Environment.Handler);
    }
}
