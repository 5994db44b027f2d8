using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Retraining;
using Serverless.Core.Storage;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;
using Serverless.Orchestrations.Retraining;

namespace Serverless.Functions.Retraining;

/// <summary>
/// The closed loop over HTTP: a model's retraining policy (PUT with If-Match, GET), a run on request, the runs and their
/// lineage, and the answer to a run that waits for approval (a Durable external event to its orchestration).
/// </summary>
public sealed partial class RetrainingFunctions
{
    private const int MaxPolicyBytes = 64 * 1024;
    private const int MaxNoteBytes = 4 * 1024;

    private readonly RetrainingStore _store;
    private readonly RetrainingStarter _starter;
    private readonly IModelRegistry _registry;
    private readonly CallerIdentity _callers;
    private readonly ILogger<RetrainingFunctions> _logger;

    public RetrainingFunctions(RetrainingStore store, RetrainingStarter starter, IModelRegistry registry, CallerIdentity callers, ILogger<RetrainingFunctions> logger)
    {
        _store = store;
        _starter = starter;
        _registry = registry;
        _callers = callers;
        _logger = logger;
    }

    [Function("SetRetrainingPolicy")]
    [ApiOperation("Declare a model's retraining policy", Request = typeof(RetrainingPolicy),
        Description = "When to retrain (triggers: drift, decay, schedule with schedule_hours, manual), on what data (traffic joined with feedback over window_hours, " +
                      "a reference dataset, or both, with at most so many rows of each), the sweep (a training sweep request without dataset, model_name and promotion), " +
                      "how to roll the winner out on the alias (shadow percent and minutes, then rollout steps with guards), how to judge it live (margin, labelled rows, " +
                      "wait) and the guardrails (runs per day, labelled rows, cooldown, approval). Every field is checked now (400 naming it; unknown fields refused). " +
                      "With If-Match (the ETag read), 412 when it changed; without, 409 when a concurrent write landed first.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.Conflict, ErrorCodes.PreconditionFailed, ErrorCodes.PayloadTooLarge])]
    [ApiParameter("If-Match", ApiParameterLocation.Header, "The policy's ETag as read (or * for any).")]
    [ApiResponse(StatusCodes.Status201Created, typeof(RetrainingPolicyResponse), "Created.", Headers = ["ETag", "Location"])]
    [ApiResponse(StatusCodes.Status200OK, typeof(RetrainingPolicyResponse), "Replaced.", Headers = ["ETag"])]
    public Task<IActionResult> SetPolicy(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/retraining")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            ModelIdentifiers.ValidateName(name);
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxPolicyBytes, cancellationToken);
            var policy = ApiJson.Read<RetrainingPolicy>(body.Span) ?? throw ServingException.BadRequest("The body must be a retraining policy (a JSON object).");
            _starter.Check(name, policy);
            await RequireModelAsync(name, cancellationToken);
            var (stored, created) = await _store.SavePolicyAsync(name, policy, IfMatch(request), cancellationToken);
            var answer = new RetrainingPolicyResponse(name, stored.UpdatedUtc, stored);
            var headers = new Dictionary<string, string> { ["ETag"] = stored.ETag };
            if (created)
            {
                headers["Location"] = $"{request.PathBase}{request.Path}";
            }

            return new JsonBodyResult(answer, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, headers);
        }, _logger);

    [Function("GetRetrainingPolicy")]
    [ApiOperation("A model's retraining policy", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(RetrainingPolicyResponse), "The policy.", Headers = ["ETag"])]
    public Task<IActionResult> GetPolicy(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/retraining")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            ModelIdentifiers.ValidateName(name);
            var policy = await _store.GetPolicyAsync(name, request.HttpContext.RequestAborted)
                ?? throw ServingException.NotFound($"Model '{name}' has no retraining policy; declare one with PUT /api/models/{name}/retraining.");
            return (IActionResult)new JsonBodyResult(new RetrainingPolicyResponse(name, policy.UpdatedUtc, policy), headers: new Dictionary<string, string> { ["ETag"] = policy.ETag });
        }, _logger);

    [Function("StartRetrainingRun")]
    [ApiOperation("Retrain a model now", Request = typeof(RetrainingNoteRequest), RequestRequired = false,
        Description = "Starts a run with trigger 'manual' (the policy must list it), under the guardrails: 409 saying which holds it back (a run under way, " +
                      "max_runs_per_day, cooldown_minutes). 404 when the model has no policy. The run's lineage is at the Location.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(RetrainingRunResponse), "Started.", Headers = ["Location"])]
    public Task<IActionResult> StartRun(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "models/{name}/retraining/runs")] HttpRequest request, string name,
        [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            ModelIdentifiers.ValidateName(name);
            var note = await ReadNoteAsync(request, cancellationToken);
            var by = _callers.Describe(request, AuthorizationLevel.Admin);
            var trigger = new RetrainingTrigger(RetrainingSources.Manual, note ?? $"asked for by {by}", By: by);
            var run = await _starter.StartAsync(name, trigger, client, cancellationToken);
            return (IActionResult)new JsonBodyResult(RetrainingRunResponse.From(run), StatusCodes.Status202Accepted,
                new Dictionary<string, string> { ["Location"] = $"{request.PathBase}{request.Path}/{run.RunId}" });
        }, _logger);

    [Function("ListRetrainingRuns")]
    [ApiOperation("A model's retraining runs, newest first", Errors = [ErrorCodes.InvalidInput])]
    [ApiResponse(StatusCodes.Status200OK, typeof(RetrainingRunListResponse), "At most 100 runs.")]
    public Task<IActionResult> ListRuns(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/retraining/runs")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            ModelIdentifiers.ValidateName(name);
            var runs = await _store.ListRunsAsync(name, 100, request.HttpContext.RequestAborted);
            return (IActionResult)new JsonBodyResult(new RetrainingRunListResponse(name, [.. runs.Select(RetrainingRunSummary.From)]));
        }, _logger);

    [Function("GetRetrainingRun")]
    [ApiOperation("A retraining run's lineage", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(RetrainingRunResponse), "The trigger, data, sweep, approval, readings and decision.")]
    public Task<IActionResult> GetRun(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/retraining/runs/{run}")] HttpRequest request, string name, string run) =>
        ApiResults.GuardAsync(async () =>
            (IActionResult)new JsonBodyResult(RetrainingRunResponse.From(await FindRunAsync(name, run, request.HttpContext.RequestAborted))), _logger);

    [Function("ApproveRetrainingRun")]
    [ApiOperation("Approve a run's challenger", Request = typeof(RetrainingNoteRequest), RequestRequired = false,
        Description = "The run must be waiting for approval (409 otherwise); its orchestration then shadows and rolls the challenger out as the policy says.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(RetrainingRunResponse), "Answered; the run goes on.", Headers = ["Location"])]
    public Task<IActionResult> Approve(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "models/{name}/retraining/{run}/approve")] HttpRequest request, string name, string run,
        [DurableClient] DurableTaskClient client) =>
        AnswerAsync(request, name, run, approved: true, client);

    [Function("RejectRetrainingRun")]
    [ApiOperation("Reject a run's challenger", Request = typeof(RetrainingNoteRequest), RequestRequired = false,
        Description = "The run must be waiting for approval (409 otherwise); it ends as rejected, the challenger never served.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(RetrainingRunResponse), "Answered; the run ends.", Headers = ["Location"])]
    public Task<IActionResult> Reject(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "models/{name}/retraining/{run}/reject")] HttpRequest request, string name, string run,
        [DurableClient] DurableTaskClient client) =>
        AnswerAsync(request, name, run, approved: false, client);

    private Task<IActionResult> AnswerAsync(HttpRequest request, string name, string runId, bool approved, DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var run = await FindRunAsync(name, runId, cancellationToken);
            var note = await ReadNoteAsync(request, cancellationToken);
            if (run.Status != RetrainingStatuses.WaitingForApproval)
            {
                throw ServingException.Conflict($"Retraining run '{run.RunId}' is not waiting for approval (it is {run.Status.Replace('_', ' ')}, at stage {run.Stage}).");
            }

            var by = _callers.Describe(request, AuthorizationLevel.Admin);
            await client.RaiseEventAsync(run.RunId, RetrainingOrchestrator.ApprovalEvent, new RetrainingApproval(approved, by, note, DateTimeOffset.UtcNow), cancellationToken);
            return (IActionResult)new JsonBodyResult(RetrainingRunResponse.From(run), StatusCodes.Status202Accepted,
                new Dictionary<string, string> { ["Location"] = $"{request.PathBase}/api/models/{name}/retraining/runs/{run.RunId}" });
        }, _logger);

    private async Task<RetrainingRun> FindRunAsync(string name, string runId, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        if (!RunIdPattern().IsMatch(runId))
        {
            throw ServingException.BadRequest($"'run' must be a retraining run id such as rt-20260101-120000-0a1b2c (was {DataText.Quote(runId)}).");
        }

        return await _store.GetRunAsync(name, runId, cancellationToken)
            ?? throw ServingException.NotFound($"Model '{name}' has no retraining run '{runId}'.");
    }

    private async Task RequireModelAsync(string name, CancellationToken cancellationToken)
    {
        if ((await _registry.ListVersionsAsync(name, cancellationToken)).Count == 0)
        {
            throw ServingException.ModelNotFound($"Model '{name}' has no versions; register one before declaring how to retrain it.");
        }
    }

    private static async Task<string?> ReadNoteAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxNoteBytes, cancellationToken);
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }

        var note = ApiJson.Read<RetrainingNoteRequest>(body.Span) ?? throw ServingException.BadRequest("The body must be empty or {\"reason\": \"...\"}.");
        return new Core.Registry.AliasMoveNote("caller", note.Reason).Reason;
    }

    private static string? IfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    [System.Text.RegularExpressions.GeneratedRegex("^rt-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")]
    private static partial System.Text.RegularExpressions.Regex RunIdPattern();
}
