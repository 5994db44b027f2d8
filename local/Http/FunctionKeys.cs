using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Local.Http;

/// <summary>
/// Function-key checks as Azure Functions makes them (header <c>x-functions-key</c> or query <c>code</c>).
/// Off by default, as under Core Tools; on with <c>--require-keys</c>. Thread-safe.
/// </summary>
public sealed class FunctionKeys
{
    public FunctionKeys(bool required, string functionKey, string masterKey)
    {
        Required = required;
        FunctionKey = functionKey;
        MasterKey = masterKey;
    }

    /// <summary>What admits a request when keys are off or the route is anonymous .</summary>
    public const string Anonymous = "anonymous";

    public bool Required { get; }

    public string FunctionKey { get; }

    public string MasterKey { get; }

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '-').Replace('/', '_');

    /// <summary>What admits the request to a route of <paramref name="level"/> ("admin key", "function key", "anonymous"), or null when nothing does.</summary>
    public string? AdmittedBy(HttpRequest request, AuthorizationLevel level)
    {
        if (!Required || level == AuthorizationLevel.Anonymous)
        {
            return Anonymous;
        }

        var presented = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        return Matches(presented, MasterKey) ? "admin key"
            : level is AuthorizationLevel.Function or AuthorizationLevel.User && Matches(presented, FunctionKey) ? "function key"
            : null;
    }

    /// <summary>Whether the request presents a key at all (header <c>x-functions-key</c> or query <c>code</c>).</summary>
    public static bool PresentsKey(HttpRequest request) =>
        request.Headers.ContainsKey("x-functions-key") || (request.QueryString.HasValue && request.Query.ContainsKey("code"));

    private static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
