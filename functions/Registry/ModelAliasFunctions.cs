using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Registry;

/// <summary>
/// Aliases (production, staging, ...): point with <c>PUT {"version": "3", "reason": "..."}</c>, or split traffic with
/// <c>PUT {"traffic": {"3": 90, "4": 10}, "routing_key": "x-user-id"}</c>, either with an optional <c>"mirror"</c> (every version
/// of a split, and the mirror's, loaded and warmed here first),
/// read, delete, roll back, and read the history of their moves. Responses carry the alias's ETag; send it back as If-Match so a promotion only
/// lands on the state it was decided on. Each move is recorded as by the caller <see cref="CallerIdentity"/> describes.
/// </summary>
public sealed class ModelAliasFunctions
{
    private const int MaxAliasBodyBytes = 64 * 1024;

    private readonly IModelRegistry _registry;
    private readonly CallerIdentity _callers;
    private readonly AliasTrafficWarmer _warmer;
    private readonly IAliasRollouts _rollouts;
    private readonly ILogger<ModelAliasFunctions> _logger;

    public ModelAliasFunctions(IModelRegistry registry, CallerIdentity callers, AliasTrafficWarmer warmer, IAliasRollouts rollouts, ILogger<ModelAliasFunctions> logger)
    {
        _registry = registry;
        _rollouts = rollouts;
        _callers = callers;
        _warmer = warmer;
        _logger = logger;
    }

    [Function("SetModelAlias")]
    [ApiOperation("Point an alias at a version, or split its traffic", Request = typeof(SetAliasRequest),
        Description = "Either {\"version\": \"3\"} or {\"traffic\": {\"3\": 90, \"4\": 10}, \"routing_key\": \"x-user-id\"}: whole weights from 0 to 100 " +
                      "summing to 100 over 1 to 10 existing versions; routing_key (default x-routing-key) is the header that keeps a caller on one version. " +
                      "Optional mirror {\"version\": \"5\", \"percent\": 50}: that share (1 to 100) of the unversioned infer and predict requests is copied " +
                      "to the version (not one of the traffic's) and scored off the request path, logged under the primary's request id; absent or null, no mirror. " +
                      "Every version of a split, and the mirror's, is loaded and warmed before it is stored; one that fails to load is a 400 naming it. " +
                      "With If-Match, only if the alias is still in the state read (412 otherwise); without, a concurrent change is a 409. " +
                      "The move is recorded in the alias's history with the caller and the optional reason (at most 500 characters).",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.Conflict, ErrorCodes.PreconditionFailed, ErrorCodes.PayloadTooLarge])]
    [ApiParameter("If-Match", ApiParameterLocation.Header, "The alias's ETag as read (or * for any existing alias).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelAliasResponse), "The alias as now stored.", Headers = ["ETag"])]
    public Task<IActionResult> Set(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "models/{name}/aliases/{alias}")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await AliasRequest.ReadBodyAsync(request, name, alias, MaxAliasBodyBytes);
            var (traffic, reason) = AliasSetBody.Read(body);
            var note = Note(request, reason);
            await _warmer.WarmAsync(name, traffic, cancellationToken);
            var updated = await _registry.SetAliasAsync(name, alias, traffic, IfMatch(request), note, cancellationToken);
            return AliasResult(updated);
        }, _logger);

    [Function("GetModelAlias")]
    [ApiOperation("An alias", Errors = [ErrorCodes.InvalidInput, ErrorCodes.AliasNotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelAliasResponse), "The alias, with its latest rollout (its step, state and guard readings) when it had one.", Headers = ["ETag"])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/aliases/{alias}")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            var found = await _registry.GetAliasAsync(name, alias, request.HttpContext.RequestAborted)
                ?? throw ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}'.");
            var rollout = await _rollouts.GetRolloutAsync(name, alias, request.HttpContext.RequestAborted);
            return new JsonBodyResult(RolloutAnswers.Of(found, rollout), headers: new Dictionary<string, string> { ["ETag"] = found.ETag });
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
            await _registry.DeleteAliasAsync(name, alias, IfMatch(request), Note(request, null), request.HttpContext.RequestAborted);
            return new NoContentResult();
        }, _logger);

    [Function("GetModelAliasHistory")]
    [ApiOperation("An alias's moves, newest first",
        Description = "Every set (PUT, or a sweep's promotion), delete and rollback of the alias: when, from and to which version, by whom, why. " +
                      "A deleted alias keeps its history; 404 only for an alias that never existed.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.AliasNotFound])]
    [ApiParameter("limit", ApiParameterLocation.Query, "How many moves, 1 to 1000 (default 100); more says whether older ones exist.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(AliasHistoryResponse), "The newest moves.")]
    public Task<IActionResult> History(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models/{name}/aliases/{alias}/history")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            ModelIdentifiers.ValidateName(name);
            ModelIdentifiers.ValidateAlias(alias);
            var limit = ReadLimit(request.Query["limit"]);
            var history = await _registry.GetAliasHistoryAsync(name, alias, limit, request.HttpContext.RequestAborted);
            return new JsonBodyResult(new AliasHistoryResponse(name, alias, history.Moves.Select(AliasMoveResponse.From).ToList(), history.More));
        }, _logger);

    [Function("RollbackModelAlias")]
    [ApiOperation("Point an alias back at the version it pointed at before", Request = typeof(RollbackAliasRequest), RequestRequired = false,
        Description = "Undoes the most recent set not already undone, restoring a split with its routing key and a mirror (their versions loaded and warmed first), so repeated rollbacks walk back through earlier versions (versions deleted since " +
                      "are skipped). 409 when there is nothing to roll back to; with If-Match, 412 when the alias moved; without, a concurrent move is a 409.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.AliasNotFound, ErrorCodes.Conflict, ErrorCodes.PreconditionFailed, ErrorCodes.PayloadTooLarge])]
    [ApiParameter("If-Match", ApiParameterLocation.Header, "The alias's ETag as read (or * for any).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelAliasResponse), "The alias as now stored.", Headers = ["ETag"])]
    public Task<IActionResult> Rollback(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "models/{name}/aliases/{alias}/rollback")] HttpRequest request,
        string name, string alias) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await AliasRequest.ReadBodyAsync(request, name, alias, MaxAliasBodyBytes);
            var reason = ReadRollbackBody(body);
            var rolledBack = await _registry.RollbackAliasAsync(name, alias, IfMatch(request), Note(request, reason),
                (traffic, ct) => _warmer.WarmAsync(name, traffic, ct), cancellationToken);
            return AliasResult(rolledBack);
        }, _logger);

    private AliasMoveNote Note(HttpRequest request, string? reason) => new(_callers.Describe(request, AuthorizationLevel.Admin), reason);

    private static IActionResult AliasResult(ModelAlias alias) =>
        new JsonBodyResult(ModelAliasResponse.From(alias), headers: new Dictionary<string, string> { ["ETag"] = alias.ETag });

    private static string? IfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static string? ReadRollbackBody(RequestBody body)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? ReadReason(document.RootElement)
                : throw ServingException.BadRequest("The body must be empty or a JSON object, for example {\"reason\": \"error rate doubled\"}.");
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body.Span);
        }
    }

    /// <summary>The optional <c>reason</c>: a string of at most <see cref="AliasMoveNote.MaxReasonLength"/> characters, or null.</summary>
    internal static string? ReadReason(JsonElement root)
    {
        if (!root.TryGetProperty("reason", out var reason) || reason.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (reason.ValueKind != JsonValueKind.String)
        {
            throw ServingException.BadRequest($"'reason' must be a string of at most {AliasMoveNote.MaxReasonLength} characters (was a JSON {reason.ValueKind.ToString().ToLowerInvariant()}).");
        }

        var text = reason.GetString()!;
        return text.Length <= AliasMoveNote.MaxReasonLength
            ? text
            : throw ServingException.BadRequest($"'reason' must be at most {AliasMoveNote.MaxReasonLength} characters (was {text.Length}).");
    }

    private static int ReadLimit(StringValues values)
    {
        if (StringValues.IsNullOrEmpty(values))
        {
            return AliasHistory.DefaultLimit;
        }

        if (values.Count > 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
            || limit is < 1 or > AliasHistory.MaxLimit)
        {
            throw ServingException.BadRequest($"Query parameter 'limit' must be a whole number from 1 to {AliasHistory.MaxLimit}.");
        }

        return limit;
    }
}
