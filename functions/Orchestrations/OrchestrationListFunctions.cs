using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// The workflows an operator started (batch scoring, training sweeps; never their sub-orchestrations), newest first, each as
/// the status route answers it. The task hub is read page by page up to <see cref="MaxScanned"/> instances created in the
/// last <see cref="Days"/> days; <c>more</c> says when more matched, or when the scan stopped there.
/// </summary>
public sealed class OrchestrationListFunctions
{
    public const int MaxScanned = 5_000;
    public const int Days = 30;
    private const int DefaultLimit = 50;
    private const int MaxLimit = 100;

    /// <summary>The orchestrations listed: the ones a request starts.</summary>
    public static readonly IReadOnlyList<string> Listed = [BatchScoringOrchestrator.Name, TrainingSweepOrchestrator.Name];

    private readonly TimeProvider _clock;
    private readonly ILogger<OrchestrationListFunctions> _logger;

    public OrchestrationListFunctions(TimeProvider clock, ILogger<OrchestrationListFunctions> logger)
    {
        _clock = clock;
        _logger = logger;
    }

    [Function("ListOrchestrations")]
    [ApiOperation("Workflows started over the API, newest first",
        Description = "Batch scoring runs and training sweeps of the last 30 days (at most 5,000 instances read), each as GET orchestrations/{instanceId} answers it.",
        Errors = [ErrorCodes.InvalidInput])]
    [ApiParameter("name", ApiParameterLocation.Query, "Only this orchestration: BatchScoring or TrainingSweep.")]
    [ApiParameter("limit", ApiParameterLocation.Query, "At most this many (1-100, default 50).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(OrchestrationListResponse), "The instances.")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "orchestrations")] HttpRequest request,
        [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var names = ReadNames(request.Query["name"].ToString());
            var limit = ReadLimit(request.Query["limit"].ToString());
            var query = new OrchestrationQuery(CreatedFrom: _clock.GetUtcNow().AddDays(-Days), PageSize: 500, FetchInputsAndOutputs: true);
            var found = new List<OrchestrationMetadata>();
            var scanned = 0;
            await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(request.HttpContext.RequestAborted))
            {
                if (names.Contains(instance.Name))
                {
                    found.Add(instance);
                }

                if (++scanned >= MaxScanned)
                {
                    break;
                }
            }

            var newest = found.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.InstanceId, StringComparer.Ordinal).ToList();
            return new JsonBodyResult(new OrchestrationListResponse(
                [.. newest.Take(limit).Select(OrchestrationApiFunctions.Status)], newest.Count > limit || scanned >= MaxScanned));
        }, _logger);

    private static IReadOnlyList<string> ReadNames(string name) =>
        name.Length == 0 ? Listed
        : Listed.Contains(name) ? [name]
        : throw ServingException.BadRequest($"Invalid 'name' '{CategoryKeys.Shown(name)}': expected one of {string.Join(", ", Listed)}.");

    /// <summary>The <c>limit</c> query parameter: <paramref name="defaultLimit"/> when absent, else a whole number from 1 to <paramref name="maxLimit"/> (a 400 otherwise).</summary>
    internal static int ReadLimit(string text, int defaultLimit = DefaultLimit, int maxLimit = MaxLimit) =>
        text.Length == 0 ? defaultLimit
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= maxLimit ? limit
        : throw ServingException.BadRequest($"Invalid 'limit' '{CategoryKeys.Shown(text)}': expected a whole number from 1 to {maxLimit}.");
}
