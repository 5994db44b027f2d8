using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace Serverless.Functions.Http;

/// <summary>
/// Who made a request, as far as the app can honestly tell, for audit records (an alias move's <c>by</c>); never a secret.
/// First the Microsoft Entra principal, but only where App Service authentication is on: the platform then sets
/// <c>WEBSITE_AUTH_ENABLED=True</c> and replaces any <c>X-MS-CLIENT-PRINCIPAL-*</c> header a caller sent with its own, so
/// the headers are the platform's word; elsewhere anyone can send them and they are ignored. Else what admitted the
/// request: the local runner records it in <see cref="AdmittedByItem"/> ("admin key", "function key", or "anonymous" when
/// keys are off); in Azure, a request that presented a key passed the host's check for the route's level ("admin key" on an
/// Admin route), and one without a key can only have come through a host that checks none ("anonymous", Core Tools).
/// </summary>
public sealed class CallerIdentity
{
    /// <summary>The <c>HttpContext.Items</c> key under which a host that checked the keys itself records what admitted the request.</summary>
    public const string AdmittedByItem = "Serverless.AdmittedBy";

    /// <summary>The setting App Service sets to True when its authentication runs in front of the app.</summary>
    public const string PlatformAuthSetting = "WEBSITE_AUTH_ENABLED";

    public const string PrincipalNameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";
    public const string PrincipalIdHeader = "X-MS-CLIENT-PRINCIPAL-ID";

    private const int MaxPart = 120;

    public CallerIdentity(IConfiguration configuration)
    {
        TrustsPlatformPrincipal = string.Equals(configuration[PlatformAuthSetting], "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether the platform's principal headers are believed (App Service authentication is on).</summary>
    public bool TrustsPlatformPrincipal { get; }

    /// <summary>The caller of <paramref name="request"/>, to a route of <paramref name="level"/>: "name (id)", a key level, or "anonymous".</summary>
    public string Describe(HttpRequest request, AuthorizationLevel level)
    {
        if (TrustsPlatformPrincipal)
        {
            var name = Part(request.Headers[PrincipalNameHeader].ToString());
            var id = Part(request.Headers[PrincipalIdHeader].ToString());
            if (name.Length > 0 || id.Length > 0)
            {
                return name.Length > 0 && id.Length > 0 ? $"{name} ({id})" : name.Length > 0 ? name : id;
            }
        }

        if (request.HttpContext.Items.TryGetValue(AdmittedByItem, out var admitted) && admitted is string recorded)
        {
            return recorded;
        }

        var presentedKey = request.Headers.ContainsKey("x-functions-key") || request.Query.ContainsKey("code");
        return !presentedKey || level == AuthorizationLevel.Anonymous ? "anonymous"
            : level == AuthorizationLevel.Admin ? "admin key"
            : "function key";
    }

    private static string Part(string value)
    {
        var trimmed = value.Trim();
        var cut = trimmed.Length <= MaxPart ? trimmed : trimmed[..MaxPart];
        return string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c));
    }
}
