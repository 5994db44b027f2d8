using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;
using Serverless.Orchestrations.Retraining;

namespace Serverless.Functions.Monitoring;

/// <summary>
/// Model monitoring: the timer that runs the monitor on schedule (app setting <c>MonitoringSchedule</c>, NCRONTAB,
/// hourly by default), a run on demand for pipelines and tests, and the reports it leaves (summaries, the latest
/// JSON, the latest page). Runs go through <see cref="MonitoringRunCoordinator"/>: a request for the scope of the run
/// under way joins it (<c>"joined": true</c>), one for another scope is a 409 naming that run, and the timer skips
/// its turn rather than start a second run.
/// </summary>
public sealed class MonitoringFunctions
{
    private const int MaxRunBodyBytes = 4 * 1024;

    private readonly MonitoringRunCoordinator _runs;
    private readonly InferenceLogWriter _logWriter;
    private readonly IModelRegistry _registry;
    private readonly ReportStore _reports;
    private readonly InferenceLogRetention _retention;
    private readonly IRetrainingTriggers _retraining;
    private readonly ILogger<MonitoringFunctions> _logger;

    public MonitoringFunctions(MonitoringRunCoordinator runs, IModelRegistry registry, ReportStore reports, InferenceLogRetention retention,
        InferenceLogWriter logWriter, IRetrainingTriggers retraining, ILogger<MonitoringFunctions> logger)
    {
        _retraining = retraining;
        _logWriter = logWriter;
        _runs = runs;
        _registry = registry;
        _reports = reports;
        _retention = retention;
        _logger = logger;
    }

    /// <summary>
    /// The scheduled run: every model (unless a run is under way), then retraining runs its findings and the schedules start
    /// (under each policy's guardrails), then retire inference-log tables past their retention.
    /// </summary>
    [Function("MonitorModels")]
    public async Task Timer([TimerTrigger("%" + MonitoringOptions.ScheduleSetting + "%")] TimerInfo timer, [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (await _runs.RunScheduledAsync(cancellationToken) is { Joined: false } outcome)
        {
            await _retraining.AfterMonitoringAsync(outcome.Result, client, cancellationToken);
        }

        await _retention.DeleteExpiredAsync(cancellationToken);
    }

    [Function("RunMonitoring")]
    [ApiOperation("Run the monitor now", Request = typeof(MonitoringRunRequest), RequestRequired = false,
        Description = "An empty body runs every model, {\"model\": \"name\"} one. Findings start retraining runs where a model's policy says so (its guardrails permitting). Every version with a baseline, or with traffic in the window through either API, gets a report; " +
            "a version without a baseline is judged against its own first traffic once Monitoring:ReferenceWindowHours of it have passed. " +
            "A request for the scope of the run under way joins it; one for another scope is a 409.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MonitoringRunResponse), "The run's reports, and the versions skipped with why (no baseline and no traffic in the window).")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "monitoring/runs")] HttpRequest request, [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxRunBodyBytes, cancellationToken);
            var model = ReadModel(body.Memory);
            if (model is not null && (await _registry.ListVersionsAsync(model, cancellationToken)).Count == 0)
            {
                throw ServingException.ModelNotFound($"Model '{model}' has no versions.");
            }

            // This instance's own recent traffic (held by the log writer for up to a flush interval) belongs in the run.
            await _logWriter.TryFlushAsync(InferenceLogOptions.FlushBeforeReading, cancellationToken);
            var (result, joined) = await _runs.RunAsync(model, cancellationToken);
            if (!joined)
            {
                await _retraining.AfterMonitoringAsync(result, client, cancellationToken);
            }

            return new JsonBodyResult(new MonitoringRunResponse(result.RunId, joined, result.WindowStartUtc, result.WindowEndUtc,
                [.. result.Reports.Select(ReportSummaryResponse.From)], result.AlertsDelivered, result.Skipped));
        }, _logger);

    [Function("ListMonitoringReports")]
    [ApiOperation("A model's monitoring report summaries, newest first", Errors = [ErrorCodes.InvalidInput])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ReportListResponse), "At most 100 summaries.")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/monitoring/reports")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            ModelIdentifiers.ValidateName(name);
            var reports = await _reports.ListAsync(name, 100, request.HttpContext.RequestAborted);
            return new JsonBodyResult(new ReportListResponse(name, [.. reports.Select(ReportSummaryResponse.From)]));
        }, _logger);

    [Function("GetLatestMonitoringReport")]
    [ApiOperation("A model's latest monitoring report", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MonitoringReport), "The report: its reference, drift per feature and of predictions, data quality, service health (by status and per API), prediction outputs, non-tabular inputs, live performance, rows judged per test and API, findings.")]
    public Task<IActionResult> Latest(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/monitoring/reports/latest")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            var json = await LatestAsync(name, "json", request);
            using var document = JsonDocument.Parse(json);
            return new JsonBodyResult(document.RootElement.Clone());
        }, _logger);

    [Function("GetLatestMonitoringReportPage")]
    [ApiOperation("A model's latest monitoring report as a page", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, null, "The report as HTML.", ContentType = "text/html")]
    public Task<IActionResult> LatestPage(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/monitoring/reports/latest.html")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () => (IActionResult)new ContentResult
        {
            Content = System.Text.Encoding.UTF8.GetString(await LatestAsync(name, "html", request)),
            ContentType = "text/html; charset=utf-8",
            StatusCode = StatusCodes.Status200OK,
        }, _logger);

    [Function("GetMonitoringReportPage")]
    [ApiOperation("One monitoring report as a page: a version's report of one run",
        Description = "The run id and version are those of a summary (GET models/{name}/monitoring/reports).",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, null, "The report as HTML.", ContentType = "text/html")]
    public Task<IActionResult> Page(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions/{version}/monitoring/reports/{runId}")] HttpRequest request,
        string name, string version, string runId) =>
        ApiResults.GuardAsync(async () =>
        {
            var page = await RunReportAsync(name, version, runId, request, (store, token) => store.PageAsync(name, version, runId, token));
            return (IActionResult)new ContentResult
            {
                Content = System.Text.Encoding.UTF8.GetString(page),
                ContentType = "text/html; charset=utf-8",
                StatusCode = StatusCodes.Status200OK,
            };
        }, _logger);

    [Function("GetMonitoringReport")]
    [ApiOperation("One monitoring report as JSON: a version's report of one run",
        Description = "The run id and version are those of a summary (GET models/{name}/monitoring/reports); the same report as GET models/{name}/monitoring/reports/latest answers, " +
                      "for any version and run still stored (the console lists each version's latest findings from it).",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MonitoringReport), "The report, findings included (a report with findings is the one its alert named).")]
    public Task<IActionResult> Report(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/versions/{version}/monitoring/reports/{runId}/json")] HttpRequest request,
        string name, string version, string runId) =>
        ApiResults.GuardAsync(async () =>
        {
            var json = await RunReportAsync(name, version, runId, request, (store, token) => store.ReportAsync(name, version, runId, token));
            using var document = JsonDocument.Parse(json);
            return (IActionResult)new JsonBodyResult(document.RootElement.Clone());
        }, _logger);

    /// <summary>A version's report of one run, read by <paramref name="read"/> once the three names are checked; 404 when it is not stored.</summary>
    private async Task<byte[]> RunReportAsync(string name, string version, string runId, HttpRequest request,
        Func<ReportStore, CancellationToken, Task<byte[]?>> read)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        MonitoringRunIds.Validate(runId);
        return await read(_reports, request.HttpContext.RequestAborted)
            ?? throw ServingException.NotFound($"Model '{name}' version '{version}' has no report of run '{runId}'.");
    }

    private async Task<byte[]> LatestAsync(string name, string extension, HttpRequest request)
    {
        ModelIdentifiers.ValidateName(name);
        return await _reports.LatestAsync(name, extension, request.HttpContext.RequestAborted)
            ?? throw ServingException.NotFound($"Model '{name}' has no monitoring report yet (run one: POST /api/monitoring/runs).");
    }

    /// <summary>An empty body runs every model; <c>{"model": "name"}</c> runs one.</summary>
    private static string? ReadModel(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ServingException.BadRequest("The body must be empty or {\"model\": \"name\"}.");
            }

            string? model = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name != "model" || property.Value.ValueKind != JsonValueKind.String || model is not null)
                {
                    throw ServingException.BadRequest($"Unknown, repeated or invalid field '{CategoryKeys.Shown(property.Name)}'; the body must be empty or {{\"model\": \"name\"}}.");
                }

                model = property.Value.GetString()!;
                ModelIdentifiers.ValidateName(model);
            }

            return model;
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body.Span);
        }
    }
}
