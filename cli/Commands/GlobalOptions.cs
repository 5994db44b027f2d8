using System.CommandLine;
using System.Globalization;

namespace Serverless.Cli.Commands;

/// <summary>
/// The options every command takes (declared once on the root, recursive): where the API is, how to authenticate, the
/// output form and the time limit. Immutable after construction.
/// </summary>
public sealed class GlobalOptions
{
    public const string EndpointVariable = "SERVERLESS_ENDPOINT";
    public const string KeyVariable = "SERVERLESS_KEY";
    public const string ScopeVariable = "SERVERLESS_ENTRA_SCOPE";
    public const string DefaultEndpoint = "http://localhost:7071";
    public const int DefaultTimeoutSeconds = 600;

    public Option<string?> Endpoint { get; } = new("--endpoint")
    {
        Description = $"The app's base URL (default: ${EndpointVariable}, else {DefaultEndpoint})",
        Recursive = true,
        HelpName = "url",
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"Function or master key, sent as x-functions-key (default: ${KeyVariable})",
        Recursive = true,
    };

    public Option<bool> Entra { get; } = new("--entra")
    {
        Description = "Send an Entra ID token (DefaultAzureCredential: az login, managed identity, environment) to the API",
        Recursive = true,
    };

    public Option<string?> EntraScope { get; } = new("--entra-scope")
    {
        Description = $"The scope of that token: the app registration's Application ID URI + /.default (default: ${ScopeVariable}, else the endpoint + /.default)",
        Recursive = true,
        HelpName = "scope",
    };

    public Option<string> Format { get; } = new("--format", "-o")
    {
        Description = "table (readable; plain lines when redirected or CI is set) or json (the API's own snake_case shapes, for scripts)",
        Recursive = true,
        DefaultValueFactory = _ => "table",
    };

    public Option<TimeSpan> Timeout { get; } = new("--timeout")
    {
        Description = $"How long the command may take altogether, --wait included: seconds, or with s, m or h",
        Recursive = true,
        HelpName = "duration",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(DefaultTimeoutSeconds),
        CustomParser = result => ParseDuration(result.Tokens.Single().Value) ?? Fail(result),
    };

    public GlobalOptions()
    {
        Format.AcceptOnlyFromAmong("table", "json");
    }

    public IEnumerable<Option> All => [Endpoint, Key, Entra, EntraScope, Format, Timeout];

    /// <summary>A duration as seconds (<c>90</c>, <c>90s</c>), minutes (<c>10m</c>) or hours (<c>2h</c>), more than zero and at most a week; null otherwise.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var unit = text.Length > 0 && char.IsLetter(text[^1]) ? char.ToLowerInvariant(text[^1]) : 's';
        var number = char.IsLetter(text.Length > 0 ? text[^1] : ' ') ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return null;
        }

        TimeSpan? duration = unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => null,
        };
        return duration <= TimeSpan.FromDays(7) ? duration : null;
    }

    private static TimeSpan Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--timeout must be a duration such as 90, 90s, 10m or 2h (at most a week), not '{result.Tokens.Single().Value}'.");
        return default;
    }
}
