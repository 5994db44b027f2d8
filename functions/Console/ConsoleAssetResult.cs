using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Serverless.Functions.Console;

/// <summary>
/// Writes a console file: its ETag and caching (revalidated, or kept a year when asked for by version), 304 when the
/// browser's copy is current, gzip when the browser takes it, and the headers that keep the page to its own scripts
/// (a Content-Security-Policy without inline scripts, no framing, no sniffing, no referrer). Alike as an
/// <see cref="IActionResult"/> and as an <see cref="IResult"/>.
/// </summary>
public sealed class ConsoleAssetResult : IActionResult, IResult
{
    /// <summary>
    /// Scripts, styles, images and API calls from this origin only; inline styles are allowed because a monitoring report's
    /// page (shown in a sandboxed frame without scripts) carries its own; no plugin, base, form target or framing.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly ConsoleAsset? _asset;
    private readonly bool _revalidate;
    private readonly string? _redirect;

    public ConsoleAssetResult(ConsoleAsset? asset, bool revalidate, string? redirect = null)
    {
        _asset = asset;
        _revalidate = revalidate;
        _redirect = redirect;
    }

    public Task ExecuteResultAsync(ActionContext context) => ExecuteAsync(context.HttpContext);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (_asset is null)
        {
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            headers.Location = request.PathBase + _redirect;
            return Task.CompletedTask;
        }

        headers.ETag = _asset.ETag;
        headers.CacheControl = _revalidate ? "no-cache" : "public, max-age=31536000, immutable";
        headers.Vary = HeaderNames.AcceptEncoding;
        if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() is var tag && (tag == _asset.ETag || tag == "*" || tag == "W/" + _asset.ETag))))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = _asset.ContentType;
        var gzip = _asset.Gzipped.Length < _asset.Bytes.Length && AcceptsGzip(request);
        var body = gzip ? _asset.Gzipped : _asset.Bytes;
        if (gzip)
        {
            headers.ContentEncoding = "gzip";
        }

        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        request.Headers.AcceptEncoding.Any(v => v is not null && v.Split(',').Any(e =>
            e.Split(';')[0].Trim().Equals("gzip", StringComparison.OrdinalIgnoreCase) && !e.Replace(" ", "", StringComparison.Ordinal).EndsWith(";q=0", StringComparison.Ordinal)));
}
