using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Registry.Mlflow;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Mlflow;

/// <summary>MLflow's model-version endpoints (REST API 2.0): each version is a version of the app's registry (see <see cref="MlflowModelRegistry"/>).</summary>
public sealed class MlflowModelVersionFunctions
{
    private const string Prefix = "2.0/mlflow/model-versions/";

    private readonly MlflowModelRegistry _registry;
    private readonly CallerIdentity _callers;
    private readonly ILogger<MlflowModelVersionFunctions> _logger;

    public MlflowModelVersionFunctions(MlflowModelRegistry registry, CallerIdentity callers, ILogger<MlflowModelVersionFunctions> logger)
    {
        _registry = registry;
        _callers = callers;
        _logger = logger;
    }

    [Function("MlflowCreateModelVersion")]
    [ApiOperation("MLflow: create a model version from a run's ONNX model", Request = typeof(MlflowCreateModelVersionRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "source: runs:/{run_id}/{path} or mlflow-artifacts:/{experiment}/{run}/artifacts/{path} of a run on this server, naming an MLflow model " +
                      "directory with the onnx flavor (MLmodel + model.onnx), a directory with a bare model.onnx, or an .onnx file; a manifest.json beside it is " +
                      "registered as the version's manifest. The model becomes the next whole-number version of the app's registry, validated as every " +
                      "registration is (Registry:MaxModelBytes, Registry:MaxSessionBytes, no external data, loaded by ONNX Runtime): INVALID_PARAMETER_VALUE and " +
                      "nothing stored otherwise, or for a source without an ONNX model. RESOURCE_DOES_NOT_EXIST for an unknown model or run.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowModelVersionResponse), "Registered (status READY).")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "create")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowCreateModelVersionRequest>(request, _logger, async (body, ct) =>
        {
            var user = _callers.Describe(request, AuthorizationLevel.Admin);
            var created = await _registry.CreateVersionAsync(new ModelVersionRequest(body.Name, body.Source, body.RunId, body.RunLink, body.Description,
                MlflowHttp.Pairs(body.Tags, "tags"), user), ct);
            return new MlflowModelVersionResponse(MlflowModelVersion.From(created));
        });

    [Function("MlflowGetModelVersion")]
    [ApiOperation("MLflow: a model version", ErrorShape = Http.ErrorShape.Mlflow, Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("name", ApiParameterLocation.Query, "The model's name.")]
    [ApiParameter("version", ApiParameterLocation.Query, "The version.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowModelVersionResponse), "The version with its aliases.")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "get")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowModelVersionRequest>(request, _logger, async (body, ct) =>
            new MlflowModelVersionResponse(MlflowModelVersion.From(await _registry.GetVersionAsync(body.Name, body.Version, ct))));

    [Function("MlflowSearchModelVersions")]
    [ApiOperation("MLflow: search model versions", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "filter over name and run_id (=, !=, LIKE, ILIKE, IN), source, version_number and the timestamps, and tags.<key>, joined by AND; " +
                      "order_by 'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp' with ASC/DESC (default name, then version_number DESC); " +
                      "max_results 1 to 200000 (default 10000); page_token from the previous answer.",
        Errors = [ErrorCodes.InvalidInput])]
    [ApiParameter("filter", ApiParameterLocation.Query, "MLflow's filter, such as name = 'fraud' or run_id = '...'.")]
    [ApiParameter("max_results", ApiParameterLocation.Query, "1 to 200000 (default 10000).")]
    [ApiParameter("order_by", ApiParameterLocation.Query, "Repeated: an attribute with ASC or DESC.")]
    [ApiParameter("page_token", ApiParameterLocation.Query, "The next_page_token of the previous page.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowSearchModelVersionsResponse), "One page; next_page_token while more follow.")]
    public Task<IActionResult> Search([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "search")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowSearchRegistryRequest>(request, _logger, async (body, ct) =>
        {
            var max = TrackingLimits.MaxResults(body.MaxResults, MlflowModelRegistry.DefaultSearchVersions, MlflowModelRegistry.MaxSearchVersions);
            var page = await _registry.SearchVersionsAsync(body.Filter, body.OrderBy, max, body.PageToken, ct);
            return new MlflowSearchModelVersionsResponse([.. page.Items.Select(MlflowModelVersion.From)], page.NextPageToken);
        });

    [Function("MlflowUpdateModelVersion")]
    [ApiOperation("MLflow: update a model version's description", Request = typeof(MlflowUpdateModelVersionRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowModelVersionResponse), "Updated.")]
    public Task<IActionResult> Update([HttpTrigger(AuthorizationLevel.Admin, "patch", Route = Prefix + "update")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowUpdateModelVersionRequest>(request, _logger, async (body, ct) =>
            new MlflowModelVersionResponse(MlflowModelVersion.From(await _registry.UpdateVersionAsync(body.Name, body.Version, body.Description, ct))));

    [Function("MlflowDeleteModelVersion")]
    [ApiOperation("MLflow: delete a model version", Request = typeof(MlflowModelVersionRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Deletes the app's version with its bytes and manifest. Refused (INVALID_PARAMETER_VALUE) while an alias points at it (delete or move " +
                      "the alias first: it serves traffic) or a graph pins it.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted.")]
    public Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Prefix + "delete")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowModelVersionRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.DeleteVersionAsync(body.Name, body.Version, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowSetModelVersionTag")]
    [ApiOperation("MLflow: set a tag on a model version", Request = typeof(MlflowModelVersionTagRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Set.")]
    public Task<IActionResult> SetTag([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "set-tag")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowModelVersionTagRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.SetVersionTagAsync(body.Name, body.Version, body.Key, body.Value, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowDeleteModelVersionTag")]
    [ApiOperation("MLflow: delete a model version's tag", Request = typeof(MlflowModelVersionTagRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted (a tag that is not there is not an error).")]
    public Task<IActionResult> DeleteTag([HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Prefix + "delete-tag")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowModelVersionTagRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.DeleteVersionTagAsync(body.Name, body.Version, body.Key, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowGetModelVersionDownloadUri")]
    [ApiOperation("MLflow: where a model version's artifacts are", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "The mlflow-artifacts:/ URI of the model directory the version was created from; INVALID_PARAMETER_VALUE for a version registered through the app's API.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("name", ApiParameterLocation.Query, "The model's name.")]
    [ApiParameter("version", ApiParameterLocation.Query, "The version.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowDownloadUriResponse), "The artifact URI.")]
    public Task<IActionResult> GetDownloadUri([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "get-download-uri")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowModelVersionRequest>(request, _logger, async (body, ct) =>
            new MlflowDownloadUriResponse(await _registry.GetDownloadUriAsync(body.Name, body.Version, ct)));
}
