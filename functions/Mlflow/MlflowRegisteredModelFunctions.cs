using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Registry.Mlflow;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Mlflow;

/// <summary>MLflow's registered-model endpoints (REST API 2.0) and its aliases, on the app's model registry (see <see cref="MlflowModelRegistry"/>).</summary>
public sealed class MlflowRegisteredModelFunctions
{
    private const string Prefix = "2.0/mlflow/registered-models/";

    private readonly MlflowModelRegistry _registry;
    private readonly CallerIdentity _callers;
    private readonly ILogger<MlflowRegisteredModelFunctions> _logger;

    public MlflowRegisteredModelFunctions(MlflowModelRegistry registry, CallerIdentity callers, ILogger<MlflowRegisteredModelFunctions> logger)
    {
        _registry = registry;
        _callers = callers;
        _logger = logger;
    }

    [Function("MlflowCreateRegisteredModel")]
    [ApiOperation("MLflow: create a registered model", Request = typeof(MlflowCreateRegisteredModelRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "A model of the app's registry without versions yet. The name follows the registry's rules (1-63 letters, digits, '.', '-', '_'). " +
                      "RESOURCE_ALREADY_EXISTS (400) when the name is taken, by a model registered through the app's API too.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowRegisteredModelResponse), "Created.")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "create")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowCreateRegisteredModelRequest>(request, _logger, async (body, ct) => new MlflowRegisteredModelResponse(
            MlflowRegisteredModel.From(await _registry.CreateModelAsync(body.Name, body.Description, MlflowHttp.Pairs(body.Tags, "tags"), ct))));

    [Function("MlflowGetRegisteredModel")]
    [ApiOperation("MLflow: a registered model", ErrorShape = Http.ErrorShape.Mlflow, Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("name", ApiParameterLocation.Query, "The model's name.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowRegisteredModelResponse), "The model with its latest version, tags and aliases.")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "get")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowRegisteredModelNameRequest>(request, _logger, async (body, ct) =>
            new MlflowRegisteredModelResponse(MlflowRegisteredModel.From(await _registry.GetModelAsync(body.Name, ct))));

    [Function("MlflowSearchRegisteredModels")]
    [ApiOperation("MLflow: search registered models", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "filter over name (=, !=, LIKE, ILIKE), creation_timestamp and last_updated_timestamp (numeric comparators) and tags.<key>, joined by AND; " +
                      "order_by 'name', 'creation_timestamp', 'last_updated_timestamp' with ASC/DESC (default name); max_results 1 to 1000 (default 100); " +
                      "page_token from the previous answer. Models registered through the app's API are found too.",
        Errors = [ErrorCodes.InvalidInput])]
    [ApiParameter("filter", ApiParameterLocation.Query, "MLflow's filter, such as name LIKE 'fraud%'.")]
    [ApiParameter("max_results", ApiParameterLocation.Query, "1 to 1000 (default 100).")]
    [ApiParameter("order_by", ApiParameterLocation.Query, "Repeated: 'name', 'creation_timestamp' or 'last_updated_timestamp', each with ASC or DESC.")]
    [ApiParameter("page_token", ApiParameterLocation.Query, "The next_page_token of the previous page.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowSearchRegisteredModelsResponse), "One page; next_page_token while more follow.")]
    public Task<IActionResult> Search([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "search")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowSearchRegistryRequest>(request, _logger, async (body, ct) =>
        {
            var max = TrackingLimits.MaxResults(body.MaxResults, MlflowModelRegistry.DefaultSearchModels, MlflowModelRegistry.MaxSearchModels);
            var page = await _registry.SearchModelsAsync(body.Filter, body.OrderBy, max, body.PageToken, ct);
            return new MlflowSearchRegisteredModelsResponse([.. page.Items.Select(MlflowRegisteredModel.From)], page.NextPageToken);
        });

    [Function("MlflowUpdateRegisteredModel")]
    [ApiOperation("MLflow: update a registered model's description", Request = typeof(MlflowUpdateRegisteredModelRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowRegisteredModelResponse), "Updated.")]
    public Task<IActionResult> Update([HttpTrigger(AuthorizationLevel.Admin, "patch", Route = Prefix + "update")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowUpdateRegisteredModelRequest>(request, _logger, async (body, ct) =>
            new MlflowRegisteredModelResponse(MlflowRegisteredModel.From(await _registry.UpdateModelAsync(body.Name, body.Description, ct))));

    [Function("MlflowDeleteRegisteredModel")]
    [ApiOperation("MLflow: delete a registered model with its versions", Request = typeof(MlflowRegisteredModelNameRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Deletes every version (bytes, manifests) and the model's MLflow metadata. Refused (INVALID_PARAMETER_VALUE) while the model has " +
                      "aliases, which serve traffic, or a graph pins one of its versions.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted.")]
    public Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Prefix + "delete")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowRegisteredModelNameRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.DeleteModelAsync(body.Name, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowSetRegisteredModelTag")]
    [ApiOperation("MLflow: set a tag on a registered model", Request = typeof(MlflowRegisteredModelTagRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Set.")]
    public Task<IActionResult> SetTag([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "set-tag")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowRegisteredModelTagRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.SetModelTagAsync(body.Name, body.Key, body.Value, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowDeleteRegisteredModelTag")]
    [ApiOperation("MLflow: delete a registered model's tag", Request = typeof(MlflowRegisteredModelTagRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted (a tag that is not there is not an error).")]
    public Task<IActionResult> DeleteTag([HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Prefix + "delete-tag")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowRegisteredModelTagRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.DeleteModelTagAsync(body.Name, body.Key, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowGetLatestVersions")]
    [ApiOperation("MLflow: a registered model's latest version", Request = typeof(MlflowGetLatestVersionsRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Every version is in stage 'None' (stages are not kept; use aliases): the latest version when stages is empty or holds 'None', else none.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowModelVersionsResponse), "The latest version, if any.")]
    public Task<IActionResult> GetLatestVersions([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "get-latest-versions")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowGetLatestVersionsRequest>(request, _logger, async (body, ct) =>
            new MlflowModelVersionsResponse([.. (await _registry.GetLatestVersionsAsync(body.Name, body.Stages, ct)).Select(MlflowModelVersion.From)]));

    [Function("MlflowSetRegisteredModelAlias")]
    [ApiOperation("MLflow: point an alias at a model version", Request = typeof(MlflowAliasRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "The app's alias itself: moved as PUT models/{name}/aliases/{alias} moves it (recorded in its history, so POST .../rollback undoes it; " +
                      "a split becomes one version). 'latest' and version-like names (v1) are reserved, as in MLflow.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Set.")]
    public Task<IActionResult> SetAlias([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "alias")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowAliasRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.SetAliasAsync(body.Name, body.Alias, body.Version, Note(request), ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowDeleteRegisteredModelAlias")]
    [ApiOperation("MLflow: delete an alias", Request = typeof(MlflowAliasRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Deletes the app's alias (recorded in its history). An alias that is not there is not an error, as in MLflow.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted.")]
    public Task<IActionResult> DeleteAlias([HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Prefix + "alias")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowAliasRequest>(request, _logger, async (body, ct) =>
        {
            await _registry.DeleteAliasAsync(body.Name, body.Alias, Note(request), ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowGetModelVersionByAlias")]
    [ApiOperation("MLflow: the model version an alias points at", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "A traffic split answers its primary version.", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("name", ApiParameterLocation.Query, "The model's name.")]
    [ApiParameter("alias", ApiParameterLocation.Query, "The alias.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowModelVersionResponse), "The version.")]
    public Task<IActionResult> GetByAlias([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "alias")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowAliasRequest>(request, _logger, async (body, ct) =>
            new MlflowModelVersionResponse(MlflowModelVersion.From(await _registry.GetVersionByAliasAsync(body.Name, body.Alias, ct))));

    private AliasMoveNote Note(HttpRequest request) => new(_callers.Describe(request, AuthorizationLevel.Admin), "MLflow registered-models/alias");
}
