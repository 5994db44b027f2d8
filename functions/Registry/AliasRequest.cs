using Microsoft.AspNetCore.Http;
using Serverless.Core.Buffers;
using Serverless.Core.Registry;

namespace Serverless.Functions.Registry;

/// <summary>The start every alias-changing route shares: the model and alias names checked, then the body read within its limit.</summary>
internal static class AliasRequest
{
    public static ValueTask<RequestBody> ReadBodyAsync(HttpRequest request, string name, string alias, long maxBytes)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        return RequestBody.ReadAsync(request.Body, request.ContentLength, maxBytes, request.HttpContext.RequestAborted);
    }
}
