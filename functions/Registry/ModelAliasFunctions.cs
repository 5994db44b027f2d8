using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Registry;

/// <summary>
/// Aliases (production, staging, ...): point with <c>PUT {"version": "3"}</c>, read, delete. Responses carry
/// the alias's ETag; send it back as If-Match so a promotion only lands on the state it was decided on.
/// </summary>
public sealed class ModelAliasFunctions
{
    private const int MaxAliasBodyBytes = 64 * 1024;

    private readonly IModelRegistry _registry;
    private readonly ILogger<ModelAliasFunctions> _logger;

    public ModelAliasFunctions(IModelRegistry registry, ILogger<ModelAliasFunctions> logger)
    {
        _registry = registry;
        _logger = logger;
    }

    [Function("SetModelAlias")]
    [ApiOperation("Point an alias at a version", Request = typeof(SetAliasRequest),
        Description = "With If-Match, only if the alias is still in the state read (412 otherwise); without, a concurrent change is a 409.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.Conflict, ErrorCodes.PreconditionFailed, ErrorCodes.PayloadTooLarge])]
    [ApiParameter("If-Match", ApiParameterLocation.Header, "The alias's ETag as read (or * for any existing alias).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelAliasResponse), "The alias as now stored.", Headers = ["ETag"])]
    public Task<IActionResult> Set(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/aliases/{alias}")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            ModelIdentifiers.ValidateName(name);
            ModelIdentifiers.ValidateAlias(alias);
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxAliasBodyBytes, cancellationToken);
            var version = ReadVersion(body);
            var updated = await _registry.SetAliasAsync(name, alias, version, IfMatch(request), cancellationToken);
            return AliasResult(updated);
        }, _logger);

    [Function("GetModelAlias")]
    [ApiOperation("An alias", Errors = [ErrorCodes.InvalidInput, ErrorCodes.AliasNotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelAliasResponse), "The alias.", Headers = ["ETag"])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/aliases/{alias}")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            var found = await _registry.GetAliasAsync(name, alias, request.HttpContext.RequestAborted)
                ?? throw ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}'.");
            return AliasResult(found);
        }, _logger);

    [Function("DeleteModelAlias")]
    [ApiOperation("Delete an alias", Errors = [ErrorCodes.InvalidInput, ErrorCodes.AliasNotFound, ErrorCodes.Conflict, ErrorCodes.PreconditionFailed])]
    [ApiParameter("If-Match", ApiParameterLocation.Header, "The alias's ETag as read (or * for any).")]
    [ApiResponse(StatusCodes.Status204NoContent, null, "Deleted.")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "models/{name}/aliases/{alias}")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            await _registry.DeleteAliasAsync(name, alias, IfMatch(request), request.HttpContext.RequestAborted);
            return new NoContentResult();
        }, _logger);

    private static IActionResult AliasResult(ModelAlias alias) =>
        new JsonBodyResult(ModelAliasResponse.From(alias), headers: new Dictionary<string, string> { ["ETag"] = alias.ETag });

    private static string? IfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static string ReadVersion(RequestBody body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("version", out var version))
            {
                switch (version.ValueKind)
                {
                    case JsonValueKind.String when !string.IsNullOrEmpty(version.GetString()):
                        return version.GetString()!;
                    case JsonValueKind.Number:
                        return version.GetRawText();
                }
            }
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body.Span);
        }

        throw ServingException.BadRequest("The body must be a JSON object with a 'version', for example {\"version\": \"3\"}.");
    }
}
