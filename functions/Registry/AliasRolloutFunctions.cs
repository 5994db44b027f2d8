using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Rollouts;
using Serverless.Core.Serving;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Registry;

/// <summary>
/// Guarded progressive delivery: start a rollout of a version on an alias (its steps, minimums and guards), abort it, and
/// the timer (app setting <c>RolloutSchedule</c>, every minute by default) that judges running rollouts and moves them on
/// or back, also on demand (<c>POST api/rollouts/runs</c>) for pipelines, operators and tests. The rollout's status is on
/// <c>GET models/{name}/aliases/{alias}</c>. Each move is recorded in the alias's history.
/// </summary>
public sealed class AliasRolloutFunctions
{
    private const int MaxBodyBytes = 16 * 1024;

    private readonly IModelRegistry _registry;
    private readonly IAliasRollouts _rollouts;
    private readonly RolloutRunner _runner;
    private readonly AliasTrafficWarmer _warmer;
    private readonly InferenceLogWriter _logWriter;
    private readonly CallerIdentity _callers;
    private readonly ILogger<AliasRolloutFunctions> _logger;

    public AliasRolloutFunctions(IModelRegistry registry, IAliasRollouts rollouts, RolloutRunner runner, AliasTrafficWarmer warmer, InferenceLogWriter logWriter,
        CallerIdentity callers, ILogger<AliasRolloutFunctions> logger)
    {
        _registry = registry;
        _rollouts = rollouts;
        _runner = runner;
        _warmer = warmer;
        _logWriter = logWriter;
        _callers = callers;
        _logger = logger;
    }

    [Function("StartAliasRollout")]
    [ApiOperation("Roll a version out on an alias, step by step, guarded", Request = typeof(StartRolloutRequest),
        Description = "The alias must point at one version (the champion). It moves at once to the first step's split {champion: 100-s, version: s}, after the " +
                      "version is loaded and warmed (400 naming 'version' when it cannot load). A timer then judges each step: a healthy step that has lasted " +
                      "min_step_minutes and served min_step_requests of the new version moves to the next; after the step at 100 the alias points at the version " +
                      "alone. A broken guard returns the alias to the champion, records why and posts the monitoring webhook. While it runs the alias moves only " +
                      "by the rollout (PUT, DELETE and rollback of the alias are 409s). 409 when the alias splits traffic, already points at the version, or has a running rollout.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.AliasNotFound, ErrorCodes.Conflict,
            ErrorCodes.PreconditionFailed, ErrorCodes.PayloadTooLarge])]
    [ApiParameter("If-Match", ApiParameterLocation.Header, "The alias's ETag as read (or * for any).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelAliasResponse), "The alias at the first step, with its rollout.", Headers = ["ETag"])]
    public Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/aliases/{alias}/rollout")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await AliasRequest.ReadBodyAsync(request, name, alias, MaxBodyBytes);
            var (plan, reason) = RolloutBody.ReadStart(body);
            var note = new AliasMoveNote(_callers.Describe(request, AuthorizationLevel.Admin), reason);
            var current = await _registry.GetAliasAsync(name, alias, cancellationToken)
                ?? throw ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}'; point it at the champion with PUT first.");
            var version = await _registry.GetExistingVersionAsync(name, plan.Version, cancellationToken);
            if (plan.Guards.MaxMetricDrop is not null)
            {
                RequireManifest(name, version, "the version");
                RequireManifest(name, await _registry.GetExistingVersionAsync(name, current.Version, cancellationToken), "the champion");
            }

            if (!current.Traffic.IsSplit && current.Version != plan.Version)
            {
                await _warmer.WarmAsync(name, RolloutTraffic.At(plan, current.Version, plan.Steps[0]), "version", cancellationToken);
            }

            var (stored, rollout) = await _rollouts.StartRolloutAsync(name, alias, plan, IfMatch(request), note, cancellationToken);
            return Answer(stored, rollout);
        }, _logger);

    [Function("AbortAliasRollout")]
    [ApiOperation("Abort an alias's running rollout", Request = typeof(AbortRolloutRequest), RequestRequired = false,
        Description = "The alias returns to the champion alone and the rollout is marked aborted, recorded in the alias's history with the caller and the optional reason. " +
                      "409 when no rollout runs; with If-Match (the alias's ETag), 412 when the alias moved.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.AliasNotFound, ErrorCodes.Conflict, ErrorCodes.PreconditionFailed, ErrorCodes.PayloadTooLarge])]
    [ApiParameter("If-Match", ApiParameterLocation.Header, "The alias's ETag as read (or * for any).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelAliasResponse), "The alias back at the champion, with its aborted rollout.", Headers = ["ETag"])]
    public Task<IActionResult> Abort(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "models/{name}/aliases/{alias}/rollout")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await AliasRequest.ReadBodyAsync(request, name, alias, MaxBodyBytes);
            var note = new AliasMoveNote(_callers.Describe(request, AuthorizationLevel.Admin), RolloutBody.ReadAbort(body));
            var (stored, rollout) = await _rollouts.AbortRolloutAsync(name, alias, IfMatch(request), note, cancellationToken);
            return Answer(stored, rollout);
        }, _logger);

    [Function("RunRollouts")]
    [ApiOperation("Judge every running rollout now",
        Description = "What the timer does every minute (RolloutSchedule), now: each running rollout's guards are read from the inference log and feedback " +
                      "since its step began, and the rollout is held, moved to its next step, completed or rolled back. Idempotent. The body must be empty. " +
                      "409 when another instance is judging rollouts.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(RolloutRunResponse), "What the run did with each running rollout.")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "rollouts/runs")] HttpRequest request) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxBodyBytes, cancellationToken);
            if (!body.Span.Trim(" \t\r\n"u8).IsEmpty && !body.Span.Trim(" \t\r\n"u8).SequenceEqual("{}"u8))
            {
                throw ServingException.BadRequest("The body must be empty (or {}): a run judges every running rollout.");
            }

            // This instance's own recent traffic (held by the log writer for up to a flush interval) belongs in the readings.
            await _logWriter.TryFlushAsync(InferenceLogOptions.FlushBeforeReading, cancellationToken);
            var result = await _runner.RunAsync(cancellationToken)
                ?? throw ServingException.Conflict("Another instance is judging rollouts now (it holds the rollout run lock); retry in a few seconds.");
            return new JsonBodyResult(RolloutRunResponse.From(result));
        }, _logger);

    /// <summary>The scheduled run: every running rollout, skipped when another instance is running one.</summary>
    [Function("AdvanceRollouts")]
    public async Task Timer([TimerTrigger("%" + RolloutRunner.ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await _runner.RunAsync(cancellationToken);

    private static void RequireManifest(string name, ModelVersion version, string which)
    {
        if (version.ManifestSha256 is null)
        {
            throw ServingException.BadRequest(
                $"'guards.max_metric_drop' needs a live metric of both versions, so both need a manifest; {which} (version '{version.Version}' of model '{name}') has none.");
        }
    }

    private static IActionResult Answer(ModelAlias alias, AliasRollout rollout) =>
        new JsonBodyResult(RolloutAnswers.Of(alias, rollout), headers: new Dictionary<string, string> { ["ETag"] = alias.ETag });

    private static string? IfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
