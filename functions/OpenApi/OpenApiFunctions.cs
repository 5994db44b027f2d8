using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Health;
using Serverless.Functions.Http;

namespace Serverless.Functions.OpenApi;

/// <summary>The API's OpenAPI 3.1 document, built once from the function classes (<see cref="OpenApiDocumentBuilder"/>). Anonymous and read-only.</summary>
public sealed class OpenApiFunctions
{
    private const string Route = "openapi.json";

    private static readonly Lazy<JsonObject> Document =
        new(() => OpenApiDocumentBuilder.Build(typeof(OpenApiFunctions).Assembly, ServerHealthFunctions.ServerVersion));

    [Function("GetOpenApiDocument")]
    [ApiOperation("The OpenAPI 3.1 document of this API", Description = "Every route with its parameters, bodies, answers and error codes, and the two keys (security schemes).")]
    [ApiResponse(StatusCodes.Status200OK, null, "The document; its server is the route prefix the caller reached.", ContentType = "application/json")]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request)
    {
        var document = (JsonObject)Document.Value.DeepClone();
        var path = request.Path.Value ?? string.Empty;
        var prefix = path.EndsWith("/" + Route, StringComparison.Ordinal) ? path[..^(Route.Length + 1)] : string.Empty;
        var url = $"{request.PathBase}{prefix}";
        document["servers"] = new JsonArray(new JsonObject { ["url"] = url.Length == 0 ? "/" : url });
        return new JsonBodyResult(document);
    }
}
