using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Mlflow;

/// <summary>MLflow's logging endpoints (REST API 2.0): metrics, params, tags, batches and metric history.</summary>
public sealed class MlflowLoggingFunctions
{
    private const string Prefix = "2.0/mlflow/";

    private readonly TrackingStore _store;
    private readonly ILogger<MlflowLoggingFunctions> _logger;

    public MlflowLoggingFunctions(TrackingStore store, ILogger<MlflowLoggingFunctions> logger)
    {
        _store = store;
        _logger = logger;
    }

    [Function("MlflowLogMetric")]
    [ApiOperation("MLflow: log a metric value", Request = typeof(MlflowLogMetricRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "key, value and timestamp (epoch ms) are required; step defaults to 0. Every value is kept (get-history); the run answers the latest.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Logged.")]
    public Task<IActionResult> LogMetric([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "runs/log-metric")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowLogMetricRequest>(request, _logger, async (body, ct) =>
        {
            var metric = Metric(new MlflowMetric(body.Key, body.Value, body.Timestamp, body.Step), "");
            await _store.LogBatchAsync(body.RunId ?? body.RunUuid, new RunBatch([metric], [], []), ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowLogParameter")]
    [ApiOperation("MLflow: log a param", Request = typeof(MlflowLogParamRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Params are immutable: the same value again is accepted, another value is INVALID_PARAMETER_VALUE. Values up to 6000 characters.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Logged.")]
    public Task<IActionResult> LogParam([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "runs/log-parameter")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowLogParamRequest>(request, _logger, async (body, ct) =>
        {
            var key = TrackingLimits.Required(body.Key, "key");
            await _store.LogBatchAsync(body.RunId ?? body.RunUuid, new RunBatch([], [new(key, body.Value ?? string.Empty)], []), ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowSetTag")]
    [ApiOperation("MLflow: set a tag on a run", Request = typeof(MlflowSetTagRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Values up to 8000 characters; setting mlflow.runName renames the run.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Set.")]
    public Task<IActionResult> SetTag([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "runs/set-tag")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowSetTagRequest>(request, _logger, async (body, ct) =>
        {
            var key = TrackingLimits.Required(body.Key, "key");
            await _store.LogBatchAsync(body.RunId ?? body.RunUuid, new RunBatch([], [], [new(key, body.Value ?? string.Empty)]), ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowDeleteTag")]
    [ApiOperation("MLflow: delete a run's tag", Request = typeof(MlflowDeleteTagRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted.")]
    public Task<IActionResult> DeleteTag([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "runs/delete-tag")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowDeleteTagRequest>(request, _logger, async (body, ct) =>
        {
            await _store.DeleteTagAsync(body.RunId, body.Key, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowLogBatch")]
    [ApiOperation("MLflow: log metrics, params and tags at once", Request = typeof(MlflowLogBatchRequest), ErrorShape = Http.ErrorShape.Mlflow,
        Description = "MLflow's limits: at most 1000 metrics, 100 params, 100 tags and 1000 in all, in a body of at most 1 MB; every key and value is " +
                      "checked before anything is written.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Logged.")]
    public Task<IActionResult> LogBatch([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Prefix + "runs/log-batch")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowLogBatchRequest>(request, _logger, async (body, ct) =>
        {
            var metrics = (body.Metrics ?? []).Select((m, i) => Metric(m, $"metrics[{i}].")).ToList();
            var batch = new RunBatch(metrics, MlflowHttp.Pairs(body.Params, "params"), MlflowHttp.Pairs(body.Tags, "tags"));
            await _store.LogBatchAsync(body.RunId, batch, ct);
            return new MlflowEmptyResponse();
        });

    [Function("MlflowGetMetricHistory")]
    [ApiOperation("MLflow: every value of a run's metric", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "By step, then timestamp; max_results 1 to 25000 (default 25000), page_token from the previous answer.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("run_id", ApiParameterLocation.Query, "The run's id.")]
    [ApiParameter("metric_key", ApiParameterLocation.Query, "The metric's key.")]
    [ApiParameter("max_results", ApiParameterLocation.Query, "Values per page.")]
    [ApiParameter("page_token", ApiParameterLocation.Query, "The previous answer's next_page_token.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowMetricHistoryResponse), "One page of values.")]
    public Task<IActionResult> GetHistory([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "metrics/get-history")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowMetricHistoryRequest>(request, _logger, async (body, ct) =>
        {
            var max = TrackingLimits.MaxResults(body.MaxResults, TrackingLimits.MaxMetricHistoryResults, TrackingLimits.MaxMetricHistoryResults);
            var page = await _store.GetMetricHistoryAsync(body.RunId ?? body.RunUuid, body.MetricKey, max, body.PageToken, ct);
            return new MlflowMetricHistoryResponse([.. page.Items.Select(MlflowMetric.From)], page.NextPageToken);
        });

    private static LoggedMetric Metric(MlflowMetric metric, string prefix) => new(
        TrackingLimits.Required(metric.Key, prefix + "key"),
        metric.Value ?? throw TrackingLimits.Missing(prefix + "value"),
        metric.Timestamp ?? throw TrackingLimits.Missing(prefix + "timestamp"),
        metric.Step ?? 0);
}
