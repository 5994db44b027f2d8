using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Mlflow;

/// <summary>MLflow's run endpoints (REST API 2.0): create, read, update, delete, restore and search runs.</summary>
public sealed class MlflowRunFunctions
{
    private const string Prefix = "2.0/mlflow/runs/";

    private readonly TrackingStore _store;
    private readonly ILogger<MlflowRunFunctions> _logger;

    public MlflowRunFunctions(TrackingStore store, ILogger<MlflowRunFunctions> logger)
    {
        _store = store;
        _logger = logger;
    }

    [Function("MlflowCreateRun")]
    [ApiOperation("MLflow: create a run", Request = typeof(MlflowCreateRunRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "In an active experiment (\"0\", the Default experiment, when none is named); RUNNING; its artifact_uri is mlflow-artifacts:/{experiment}/{run}/artifacts. " +
                      "A run_name and an mlflow.runName tag must agree; without either a name is made up.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowRunResponse), "Created.")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "create")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowCreateRunRequest>(request, _logger, async (body, ct) =>
            new MlflowRunResponse(MlflowRun.From(await _store.CreateRunAsync(body.ExperimentId, body.UserId, body.StartTime, body.RunName,
                MlflowHttp.Pairs(body.Tags, "tags"), ct))));

    [Function("MlflowGetRun")]
    [ApiOperation("MLflow: a run with its latest metrics, params and tags", ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("run_id", ApiParameterLocation.Query, "The run's id (run_uuid is read too).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowRunResponse), "The run, deleted or not.")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "get")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowRunIdRequest>(request, _logger, async (body, ct) =>
            new MlflowRunResponse(MlflowRun.From(await _store.GetRunAsync(body.RunId ?? body.RunUuid, ct))));

    [Function("MlflowUpdateRun")]
    [ApiOperation("MLflow: update a run's status, end time or name", Request = typeof(MlflowUpdateRunRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "status is one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED. The run must be active.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowUpdateRunResponse), "The run's info as updated.")]
    public Task<IActionResult> Update([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "update")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowUpdateRunRequest>(request, _logger, async (body, ct) =>
            new MlflowUpdateRunResponse(MlflowRunInfo.From(await _store.UpdateRunAsync(body.RunId ?? body.RunUuid,
                new RunUpdate(body.Status, body.EndTime, body.RunName), ct))));

    [Function("MlflowDeleteRun")]
    [ApiOperation("MLflow: delete a run", Request = typeof(MlflowRunIdRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Marks it deleted (searches leave it out unless run_view_type asks for deleted runs); restore brings it back.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted.")]
    public Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "delete")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowRunIdRequest>(request, _logger, async (body, ct) =>
        {
            await _store.DeleteRunAsync(body.RunId ?? body.RunUuid, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowRestoreRun")]
    [ApiOperation("MLflow: restore a deleted run", Request = typeof(MlflowRunIdRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Restored.")]
    public Task<IActionResult> Restore([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "restore")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowRunIdRequest>(request, _logger, async (body, ct) =>
        {
            await _store.RestoreRunAsync(body.RunId ?? body.RunUuid, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowSearchRuns")]
    [ApiOperation("MLflow: search runs", Request = typeof(MlflowSearchRunsRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "filter: clauses joined by AND over metrics.<key> (=, !=, <, <=, >, >=), params.<key> and tags.<key> (=, !=, LIKE, ILIKE) and attributes " +
                      "run_id, run_name, status, user_id, artifact_uri (=, !=, LIKE, ILIKE, IN, NOT IN) and start_time, end_time (numeric); keys with other " +
                      "characters in backticks or double quotes; a run without the key does not match. order_by: up to 10 'identifier [ASC|DESC]' " +
                      "(default start_time DESC, then run_id; runs without the key last). max_results 1 to 50000 (default 1000); run_view_type " +
                      "ACTIVE_ONLY (default), DELETED_ONLY or ALL; at most 100 experiment_ids.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowSearchRunsResponse), "One page; next_page_token while more follow.")]
    public Task<IActionResult> Search([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "search")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowSearchRunsRequest>(request, _logger, async (body, ct) =>
        {
            var max = TrackingLimits.MaxResults(body.MaxResults, TrackingLimits.DefaultSearchResults, TrackingLimits.MaxSearchResults);
            var page = await _store.SearchRunsAsync(body.ExperimentIds ?? [], body.Filter, MlflowHttp.View(body.RunViewType, "run_view_type"), max,
                body.OrderBy, body.PageToken, ct);
            return new MlflowSearchRunsResponse([.. page.Items.Select(MlflowRun.From)], page.NextPageToken);
        });
}
