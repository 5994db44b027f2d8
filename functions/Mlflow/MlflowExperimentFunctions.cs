using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Mlflow;

/// <summary>MLflow's experiment endpoints (REST API 2.0), on the app's tracking store.</summary>
public sealed class MlflowExperimentFunctions
{
    private const string Prefix = "2.0/mlflow/experiments/";

    private readonly TrackingStore _store;
    private readonly ILogger<MlflowExperimentFunctions> _logger;

    public MlflowExperimentFunctions(TrackingStore store, ILogger<MlflowExperimentFunctions> logger)
    {
        _store = store;
        _logger = logger;
    }

    [Function("MlflowCreateExperiment")]
    [ApiOperation("MLflow: create an experiment", Request = typeof(MlflowCreateExperimentRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "RESOURCE_ALREADY_EXISTS (400) when the name is taken, by a deleted experiment too. Artifacts default to mlflow-artifacts:/{id}.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowCreateExperimentResponse), "Created.")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "create")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowCreateExperimentRequest>(request, _logger, async (body, ct) =>
            new MlflowCreateExperimentResponse(await _store.CreateExperimentAsync(body.Name, body.ArtifactLocation, MlflowHttp.Pairs(body.Tags, "tags"), ct)));

    [Function("MlflowGetExperiment")]
    [ApiOperation("MLflow: an experiment by id", ErrorShape = Http.ErrorShape.Mlflow, Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("experiment_id", ApiParameterLocation.Query, "The experiment's id.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowExperimentResponse), "The experiment, deleted or not.")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "get")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowExperimentIdRequest>(request, _logger, async (body, ct) =>
            new MlflowExperimentResponse(MlflowExperiment.From(await _store.GetExperimentAsync(body.ExperimentId, ct))));

    [Function("MlflowGetExperimentByName")]
    [ApiOperation("MLflow: an experiment by name", ErrorShape = Http.ErrorShape.Mlflow, Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("experiment_name", ApiParameterLocation.Query, "The experiment's name.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowExperimentResponse), "The experiment, deleted or not.")]
    public Task<IActionResult> GetByName([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "get-by-name")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowExperimentByNameRequest>(request, _logger, async (body, ct) =>
            new MlflowExperimentResponse(MlflowExperiment.From(await _store.GetExperimentByNameAsync(body.ExperimentName, ct))));

    [Function("MlflowSearchExperiments")]
    [ApiOperation("MLflow: search experiments", Request = typeof(MlflowSearchExperimentsRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "filter over name (=, !=, LIKE, ILIKE), creation_time and last_update_time (numeric comparators) and tags.<key>, joined by AND; " +
                      "order_by entries 'name', 'experiment_id', 'creation_time', 'last_update_time' with ASC/DESC (default last_update_time DESC, then id); " +
                      "max_results 1 to 50000 (default 1000); view_type ACTIVE_ONLY (default), DELETED_ONLY or ALL; page_token from the previous answer.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowSearchExperimentsResponse), "One page; next_page_token while more follow.")]
    public Task<IActionResult> Search([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "search")] HttpRequest request) => SearchAsync(request);

    [Function("MlflowSearchExperimentsGet")]
    [ApiOperation("MLflow: search experiments (query parameters)", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "As the POST, with the fields as query parameters (order_by repeated), as MLflow's client also sends it.",
        Errors = [ErrorCodes.InvalidInput])]
    [ApiParameter("filter", ApiParameterLocation.Query, "MLflow's experiment filter.")]
    [ApiParameter("order_by", ApiParameterLocation.Query, "'name', 'experiment_id', 'creation_time' or 'last_update_time' with ASC/DESC; repeated.")]
    [ApiParameter("max_results", ApiParameterLocation.Query, "1 to 50000 (default 1000).")]
    [ApiParameter("view_type", ApiParameterLocation.Query, "ACTIVE_ONLY (default), DELETED_ONLY or ALL.")]
    [ApiParameter("page_token", ApiParameterLocation.Query, "The previous answer's next_page_token.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowSearchExperimentsResponse), "One page; next_page_token while more follow.")]
    public Task<IActionResult> SearchByQuery([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "search")] HttpRequest request) => SearchAsync(request);

    [Function("MlflowUpdateExperiment")]
    [ApiOperation("MLflow: rename an experiment", Request = typeof(MlflowUpdateExperimentRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Renamed.")]
    public Task<IActionResult> Update([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "update")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowUpdateExperimentRequest>(request, _logger, async (body, ct) =>
        {
            await _store.RenameExperimentAsync(body.ExperimentId, body.NewName, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowDeleteExperiment")]
    [ApiOperation("MLflow: delete an experiment (and its runs)", Request = typeof(MlflowExperimentIdRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Marks it and its runs deleted; restore brings them back. The default experiment '0' cannot be deleted.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted.")]
    public Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "delete")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowExperimentIdRequest>(request, _logger, async (body, ct) =>
        {
            await _store.DeleteExperimentAsync(body.ExperimentId, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowRestoreExperiment")]
    [ApiOperation("MLflow: restore a deleted experiment (and its runs)", Request = typeof(MlflowExperimentIdRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Restored.")]
    public Task<IActionResult> Restore([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "restore")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowExperimentIdRequest>(request, _logger, async (body, ct) =>
        {
            await _store.RestoreExperimentAsync(body.ExperimentId, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowSetExperimentTag")]
    [ApiOperation("MLflow: set a tag on an experiment", Request = typeof(MlflowSetExperimentTagRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Set.")]
    public Task<IActionResult> SetTag([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "set-experiment-tag")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowSetExperimentTagRequest>(request, _logger, async (body, ct) =>
        {
            await _store.SetExperimentTagAsync(body.ExperimentId, body.Key, body.Value, ct);
            return new MlflowEmptyResponse();
        });

    private Task<IActionResult> SearchAsync(HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowSearchExperimentsRequest>(request, _logger, async (body, ct) =>
        {
            var max = TrackingLimits.MaxResults(body.MaxResults, TrackingLimits.DefaultSearchResults, TrackingLimits.MaxSearchResults);
            var page = await _store.SearchExperimentsAsync(body.Filter, body.OrderBy, MlflowHttp.View(body.ViewType, "view_type"), max, body.PageToken, ct);
            return new MlflowSearchExperimentsResponse([.. page.Items.Select(MlflowExperiment.From)], page.NextPageToken);
        });
}
