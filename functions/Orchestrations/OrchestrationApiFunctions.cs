using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Functions.Http;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// Starting and watching orchestrations over HTTP, the same under Azure Functions and the local runner:
/// a start answers 202 with the instance id and a Location to poll; status and terminate by instance id.
/// </summary>
public sealed class OrchestrationApiFunctions
{
    private const int MaxStartBodyBytes = 64 * 1024;

    private readonly InputBlobReader _input;
    private readonly DataContainers _containers;
    private readonly ModelResolver _resolver;
    private readonly ILogger<OrchestrationApiFunctions> _logger;

    public OrchestrationApiFunctions(InputBlobReader input, DataContainers containers, ModelResolver resolver, ILogger<OrchestrationApiFunctions> logger)
    {
        _input = input;
        _containers = containers;
        _resolver = resolver;
        _logger = logger;
    }

    [Function("StartBatchScoring")]
    public Task<IActionResult> StartBatchScoring(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "orchestrations/batch-scoring")] HttpRequest request,
        [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxStartBodyBytes, cancellationToken);
            var batch = BatchScoringRequestReader.Read(body.Memory, _containers);
            // Sized now, as planning will size it: a job over the chunk cap is a 400 here, not a failed orchestration later.
            await PlanBatchActivity.LayoutAsync(_input, batch, batch.Format!, cancellationToken);

            if (batch.Alias is null)
            {
                await _resolver.ResolveAsync(batch.Model, batch.Version, cancellationToken);
            }

            var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(BatchScoringOrchestrator.Name, batch, cancellationToken);
            return Accepted(request, instanceId);
        }, _logger);

    [Function("GetOrchestration")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "orchestrations/{instanceId}")] HttpRequest request,
        string instanceId, [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, request.HttpContext.RequestAborted)
                ?? throw ServingException.NotFound($"No orchestration instance '{instanceId}'.");
            return new JsonBodyResult(new
            {
                instance_id = instance.InstanceId,
                name = instance.Name,
                runtime_status = instance.RuntimeStatus.ToString(),
                custom_status = ParseJson(instance.SerializedCustomStatus),
                output = instance.RuntimeStatus == OrchestrationRuntimeStatus.Failed ? null : ParseJson(instance.SerializedOutput),
                error = OrchestrationErrors.Describe(instance.FailureDetails, instance.InstanceId),
                created_utc = instance.CreatedAt,
                last_updated_utc = instance.LastUpdatedAt,
            });
        }, _logger);

    [Function("TerminateOrchestration")]
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

    /// <summary>
    /// 202 with the instance id, its status and terminate URIs, and a Location header to poll. The URIs are relative to
    /// the host the caller reached: built from the request's Host header they would point wherever a caller (or a proxy
    /// it fooled) said.
    /// </summary>
    internal static IActionResult Accepted(HttpRequest request, string instanceId)
    {
        var statusUri = $"{FunctionsPathBase(request)}/orchestrations/{Uri.EscapeDataString(instanceId)}";
        return new JsonBodyResult(new { id = instanceId, status_uri = statusUri, terminate_uri = statusUri + "/terminate" },
            StatusCodes.Status202Accepted, new Dictionary<string, string> { ["Location"] = statusUri });
    }

    /// <summary>The route prefix part of the path ("/api"), derived from the request so both hosts agree.</summary>
    private static string FunctionsPathBase(HttpRequest request)
    {
        var path = request.Path.Value ?? string.Empty;
        var marker = path.IndexOf("/orchestrations/", StringComparison.Ordinal);
        return request.PathBase + (marker > 0 ? path[..marker] : string.Empty);
    }

    private static JsonElement? ParseJson(string? serialized)
    {
        if (string.IsNullOrEmpty(serialized))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(serialized);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonDocument.Parse(JsonSerializer.Serialize(serialized)).RootElement.Clone();
        }
    }
}
