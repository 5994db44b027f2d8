using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// Starting and watching orchestrations over HTTP, the same under Azure Functions and the local runner:
/// a start answers 202 with the instance id and a Location to poll; status and terminate by instance id.
/// </summary>
public sealed class OrchestrationApiFunctions
{
    private const int MaxStartBodyBytes = 64 * 1024;

    private const int DefaultBadRows = 20;

    private readonly BatchScoringStarter _batch;
    private readonly BatchBadRowReader _badRows;
    private readonly DataContainers _containers;
    private readonly ILogger<OrchestrationApiFunctions> _logger;

    public OrchestrationApiFunctions(BatchScoringStarter batch, BatchBadRowReader badRows, DataContainers containers, ILogger<OrchestrationApiFunctions> logger)
    {
        _batch = batch;
        _badRows = badRows;
        _containers = containers;
        _logger = logger;
    }

    [Function("StartBatchScoring")]
    [ApiOperation("Start batch scoring", Request = typeof(StartBatchScoringRequest),
        Description = "Scores a CSV or JSON Lines blob of a data container with a model that has a manifest; poll the status route. " +
                      "Everything known at the start is checked then (a 400 naming the field): the paths, the model, version or alias, " +
                      "the version's manifest, the input blob and its size.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(OrchestrationAcceptedResponse), "Started.", Headers = ["Location"])]
    public Task<IActionResult> StartBatchScoring(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "orchestrations/batch-scoring")] HttpRequest request,
        [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxStartBodyBytes, cancellationToken);
            var batch = BatchScoringRequestReader.Read(body.Memory, _containers);
            var instanceId = await _batch.StartAsync(batch, client, cancellationToken);
            return Accepted(request, instanceId);
        }, _logger);

    [Function("GetOrchestration")]
    [ApiOperation("An orchestration's status", Description = "Progress in custom_status, the result in output once completed, why it failed in error.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter(OrchestrationWait.QueryName, ApiParameterLocation.Query,
        "Seconds (1–120) to wait for the instance to end before answering; the answer is the status at the end or when the wait runs out.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(OrchestrationStatusResponse), "The instance's status.")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "orchestrations/{instanceId}")] HttpRequest request,
        string instanceId, [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var wait = OrchestrationWait.Parse(request.Query[OrchestrationWait.QueryName]);
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, request.HttpContext.RequestAborted)
                ?? throw ServingException.NotFound($"No orchestration instance '{instanceId}'.");
            if (wait is { } duration && !instance.IsCompleted)
            {
                instance = await OrchestrationWait.UntilEndedAsync(client, instanceId, duration, request.HttpContext.RequestAborted);
            }
            return new JsonBodyResult(Status(instance));
        }, _logger);

    [Function("GetBatchBadRows")]
    [ApiOperation("A batch scoring run's bad rows",
        Description = "The first rows the run refused (row number in the input, id, feature at fault, reason), read back from the errors blobs in its output folder, " +
                      "with how many it counted; for a run that ended with too many bad rows as for one that completed.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("limit", ApiParameterLocation.Query, "At most this many rows (1-100, default 20).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(BatchBadRowsResponse), "The rows, in part order.")]
    public Task<IActionResult> BadRows(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "orchestrations/{instanceId}/bad-rows")] HttpRequest request,
        string instanceId, [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var limit = OrchestrationListFunctions.ReadLimit(request.Query["limit"].ToString(), DefaultBadRows, BatchBadRowReader.MaxLimit);
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken)
                ?? throw ServingException.NotFound($"No orchestration instance '{instanceId}'.");
            if (instance.Name != BatchScoringOrchestrator.Name || OutputOf(instance.SerializedInput) is not { } output)
            {
                throw ServingException.NotFound($"Orchestration '{instanceId}' is not a batch scoring run; only those have bad rows.");
            }

            var sample = await _badRows.ReadAsync(output, limit, cancellationToken);
            var progress = OrchestrationShapes.Read(instance.SerializedCustomStatus, typeof(BatchScoringProgress)) as BatchScoringProgress;
            return new JsonBodyResult(new BatchBadRowsResponse(instance.InstanceId, instance.RuntimeStatus.ToString(), progress?.BadRows, sample.Folder, sample.Blobs,
                sample.Rows));
        }, _logger);

    [Function("TerminateOrchestration")]
    [ApiOperation("Terminate an orchestration", Errors = [ErrorCodes.NotFound, ErrorCodes.Conflict])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(OrchestrationAcceptedResponse), "Terminating.", Headers = ["Location"])]
    public Task<IActionResult> Terminate(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "orchestrations/{instanceId}/terminate")] HttpRequest request,
        string instanceId, [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var instance = await client.GetInstanceAsync(instanceId, cancellationToken)
                ?? throw ServingException.NotFound($"No orchestration instance '{instanceId}'.");
            if (instance.IsCompleted)
            {
                throw ServingException.Conflict($"Orchestration '{instanceId}' already ended ({instance.RuntimeStatus}).");
            }

            await client.TerminateInstanceAsync(instanceId, "Terminated over the HTTP API.", cancellationToken);
            return Accepted(request, instanceId);
        }, _logger);

    /// <summary>The output folder a batch scoring run's input names (Durable's .NET names, or snake_case); null when it names none.</summary>
    private static string? OutputOf(string? serializedInput)
    {
        if (string.IsNullOrEmpty(serializedInput))
        {
            return null;
        }

        using var input = JsonDocument.Parse(serializedInput);
        return input.RootElement.ValueKind == JsonValueKind.Object
            && input.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals("output", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } output
            ? output.GetString()
            : null;
    }

    /// <summary>An instance as the status route answers it (read with its inputs and outputs).</summary>
    internal static OrchestrationStatusResponse Status(OrchestrationMetadata instance)
    {
        var completed = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed;
        return new OrchestrationStatusResponse(
            instance.InstanceId,
            instance.Name,
            instance.RuntimeStatus.ToString(),
            OrchestrationShapes.Read(instance.SerializedCustomStatus, OrchestrationShapes.CustomStatusOf(instance.Name)),
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Failed
                ? null
                : OrchestrationShapes.Read(instance.SerializedOutput, completed ? OrchestrationShapes.OutputOf(instance.Name) : null),
            OrchestrationErrors.Describe(instance.FailureDetails, instance.InstanceId),
            instance.CreatedAt,
            instance.LastUpdatedAt);
    }

    /// <summary>
    /// 202 with the instance id, its status and terminate URIs, and a Location header to poll. The URIs are relative to
    /// the host the caller reached: built from the request's Host header they would point wherever a caller (or a proxy
    /// it fooled) said.
    /// </summary>
    internal static IActionResult Accepted(HttpRequest request, string instanceId)
    {
        var statusUri = $"{FunctionsPathBase(request)}/orchestrations/{Uri.EscapeDataString(instanceId)}";
        return new JsonBodyResult(new OrchestrationAcceptedResponse(instanceId, statusUri, statusUri + "/terminate"),
            StatusCodes.Status202Accepted, new Dictionary<string, string> { ["Location"] = statusUri });
    }

    /// <summary>The route prefix part of the path ("/api"), derived from the request so both hosts agree.</summary>
    private static string FunctionsPathBase(HttpRequest request)
    {
        var path = request.Path.Value ?? string.Empty;
        var marker = path.IndexOf("/orchestrations/", StringComparison.Ordinal);
        if (marker < 0)
        {
            marker = path.IndexOf("/feature-sets/", StringComparison.Ordinal);
        }

        return request.PathBase + (marker > 0 ? path[..marker] : string.Empty);
    }
}
