using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Models;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Features;

/// <summary>
/// Feature sets: declare a version (immutable, like model versions and manifests), read it, list a set's versions, and write rows to
/// its online store and history. Models take features from them through their manifest's <c>feature_sets</c>.
/// </summary>
public sealed class FeatureSetFunctions(FeatureSetCatalog catalog, FeatureIngestion ingestion, ILogger<FeatureSetFunctions> logger)
{
    /// <summary>The largest body of rows one write may send.</summary>
    public const int MaxRowsBodyBytes = 8 * 1024 * 1024;

    [Function("RegisterFeatureSetVersion")]
    [ApiOperation("Declare a feature set version", Request = typeof(FeatureSetBody),
        Description = "Entity key column(s), features with types (numeric or categorical) and ttl_seconds. Versions are immutable: the same declaration " +
                      "again answers 200, another one 409. Unknown fields are refused.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status201Created, typeof(FeatureSetVersionResponse), "Declared.", Headers = ["Location"])]
    [ApiResponse(StatusCodes.Status200OK, typeof(FeatureSetVersionResponse), "The same declaration was registered before.")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "feature-sets/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, FeatureSetJson.MaxBytes, cancellationToken);
            var (outcome, set) = await catalog.RegisterAsync(name, version, body.Memory, cancellationToken);
            return ApiResults.CreatedOrOk(request, FeatureSetVersionResponse.From(set), outcome == RegistrationOutcome.Created);
        }, logger);

    [Function("GetFeatureSetVersion")]
    [ApiOperation("A feature set version's declaration", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(FeatureSetVersionResponse), "The declaration.")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "feature-sets/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
            (IActionResult)new JsonBodyResult(FeatureSetVersionResponse.From(await catalog.GetAsync(name, version, request.HttpContext.RequestAborted))), logger);

    [Function("ListFeatureSetVersions")]
    [ApiOperation("A feature set's versions", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(FeatureSetVersionsResponse), "The versions, in version order.")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "feature-sets/{name}/versions")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            var versions = await catalog.ListVersionsAsync(name, request.HttpContext.RequestAborted);
            return (IActionResult)new JsonBodyResult(new FeatureSetVersionsResponse(name, versions.Select(FeatureSetVersionResponse.From).ToArray()));
        }, logger);

    [Function("WriteFeatureRows")]
    [ApiOperation("Write rows to a feature set version's online store and history", Request = typeof(FeatureRowsBody), AlternateRequestContentType = "text/csv",
        Description = "JSON {\"rows\": [...]} or CSV with a header (Content-Type text/csv). Each row gives the key column(s), event_time and any features. " +
                      "Idempotent upsert: per feature, a value older than the stored one never replaces it. All or nothing: a bad row is a 400 naming " +
                      "row and column and nothing is stored. Every accepted row is appended to the history (JSON Lines by event date) before the online store.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge, ErrorCodes.Unavailable])]
    [ApiResponse(StatusCodes.Status200OK, typeof(FeatureRowsResponse), "What the write changed.")]
    public Task<IActionResult> WriteRows(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "feature-sets/{name}/versions/{version}/rows")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            Core.Registry.ModelIdentifiers.ValidateName(name, "name");
            Core.Registry.ModelIdentifiers.ValidateVersion(version, "version");
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxRowsBodyBytes, cancellationToken);
            var csv = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true;
            var result = await ingestion.WriteAsync(name, version, body.Memory, csv, cancellationToken);
            return (IActionResult)new JsonBodyResult(FeatureRowsResponse.From(result));
        }, logger);
}
