using Microsoft.AspNetCore.Http;
using Serverless.Core.Buffers;
using Serverless.Core.Registry;

namespace Serverless.Functions.Http;

/// <summary>
/// The preamble of a route that PUTs a body onto <c>{name}/versions/{version}</c> (a model's bytes, its manifest, a graph's spec):
/// the route's name and version are checked (BadRequest naming them) before any byte is read, then the body is read up to a limit
/// (PayloadTooLarge past it), cancelled with the request.
/// </summary>
internal static class VersionBody
{
    /// <summary>Checks <paramref name="name"/> and <paramref name="version"/>, then reads at most <paramref name="maxBytes"/>; dispose the body once.</summary>
    public static ValueTask<RequestBody> ReadAsync(HttpRequest request, string name, string version, long maxBytes)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        return RequestBody.ReadAsync(request.Body, request.ContentLength, maxBytes, request.HttpContext.RequestAborted);
    }
}
