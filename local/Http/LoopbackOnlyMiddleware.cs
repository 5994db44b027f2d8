using System.Net;
using Serverless.Core.Errors;
using Serverless.Functions.Http;

namespace Serverless.Local.Http;

/// <summary>
/// With keys off, the runner trusts whoever can reach it, so it accepts only what can come from this machine:
/// a <c>Host</c> that is a loopback name (a page on another site that rebinds its DNS name to 127.0.0.1 still
/// sends its own name), and, for writes, no browser <c>Origin</c> other than the runner's own. Answers 403 otherwise, in the
/// API's error shape (code <c>forbidden</c>).
/// </summary>
internal sealed class LoopbackOnlyMiddleware
{
    private readonly RequestDelegate _next;

    public LoopbackOnlyMiddleware(RequestDelegate next)
    {
        _next = next;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsLoopbackHost(request.Host))
        {
            return RefuseAsync(context,
                $"Host '{Shorten(request.Host.Value)}' is not a loopback name. Without keys the local runner serves only this machine " +
                "(localhost, 127.0.0.1, [::1]); start it with --require-keys to serve other hosts.");
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && request.Headers.Origin.Count > 0 && !IsOwnOrigin(request.Headers.Origin.ToString(), context.Connection.LocalPort))
        {
            return RefuseAsync(context,
                $"Cross-origin write refused (Origin '{Shorten(request.Headers.Origin.ToString())}'): without keys the local runner accepts " +
                "writes only from its own origin, so a web page cannot drive it.");
        }

        return _next(context);
    }

    /// <summary>
    /// <see cref="IsLoopbackName"/> of the Host header's host part. The usual values (127.0.0.1, localhost or [::1], with or
    /// without a port) are recognised in place; any other goes through <see cref="HostString.Host"/> (which allocates).
    /// </summary>
    internal static bool IsLoopbackHost(HostString host)
    {
        var value = host.Value.AsSpan();
        if (IsNameThenPort(value, "127.0.0.1", StringComparison.Ordinal) || IsNameThenPort(value, "localhost", StringComparison.OrdinalIgnoreCase)
            || IsNameThenPort(value, "[::1]", StringComparison.Ordinal))
        {
            return true;
        }

        return IsLoopbackName(host.Host);
    }

    /// <summary>The value is <paramref name="name"/> alone or followed by ':' and a port (digits), as <see cref="HostString.Host"/> splits it.</summary>
    private static bool IsNameThenPort(ReadOnlySpan<char> value, string name, StringComparison comparison)
    {
        if (!value.StartsWith(name, comparison))
        {
            return false;
        }

        var rest = value[name.Length..];
        return rest.IsEmpty || (rest.Length > 1 && rest[0] == ':' && !rest[1..].ContainsAnyExceptInRange('0', '9'));
    }

    internal static bool IsLoopbackName(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    internal static bool IsOwnOrigin(string origin, int localPort) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttp
        && uri.Port == localPort
        && IsLoopbackName(uri.Host);

    private static async Task RefuseAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.Response.WriteAsJsonAsync(new ApiError(message, ErrorCodes.Forbidden), ApiJson.Options, context.RequestAborted);
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "...";
}
