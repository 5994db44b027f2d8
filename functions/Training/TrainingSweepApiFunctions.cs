using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;
using Serverless.Functions.Orchestrations;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Training;

/// <summary>
/// Training sweeps over HTTP: start one (202 with the instance id, which is also the sweep id, and a Location to
/// poll), and read the experiment store: every sweep, or one with its trials and leaderboard.
/// </summary>
public sealed class TrainingSweepApiFunctions
{
    private const int MaxStartBodyBytes = 64 * 1024;

    private readonly TrainingSweepStarter _starter;
    private readonly DataContainers _containers;
    private readonly ExperimentStore _experiments;
    private readonly TrainingOptions _options;
    private readonly ILogger<TrainingSweepApiFunctions> _logger;

    public TrainingSweepApiFunctions(TrainingSweepStarter starter, DataContainers containers, ExperimentStore experiments, IOptions<TrainingOptions> options,
        ILogger<TrainingSweepApiFunctions> logger)
    {
        _starter = starter;
        _containers = containers;
        _experiments = experiments;
        _options = options.Value;
        _logger = logger;
    }

    [Function("StartTrainingSweep")]
    [ApiOperation("Start a training sweep", Request = typeof(TrainingSweepRequest),
        Description = "The instance id is the sweep id. Everything known at the start is checked then (a 400 naming the field): the dataset blob, " +
                      "its size and header, the algorithms for the task, their hyperparameters, the metric, the names, and the promotion alias's " +
                      "manifest. Refused with 409 beyond Training:MaxConcurrentSweeps running sweeps. Unknown fields are refused.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(OrchestrationAcceptedResponse), "Started.", Headers = ["Location"])]
    public Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "orchestrations/training-sweeps")] HttpRequest request,
        [DurableClient] DurableTaskClient client) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxStartBodyBytes, cancellationToken);
            var sweep = TrainingSweepRequestReader.Read(body.Memory, _options, _containers);
            var sweepId = await _starter.StartAsync(sweep, Encoding.UTF8.GetString(body.Memory.Span), client, cancellationToken);
            return OrchestrationApiFunctions.Accepted(request, sweepId);
        }, _logger);

    [Function("ListSweeps")]
    [ApiOperation("Tracked sweeps, newest first")]
    [ApiResponse(StatusCodes.Status200OK, typeof(SweepListResponse), "At most 100 sweeps.")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "sweeps")] HttpRequest request) =>
        ApiResults.GuardAsync(async () =>
        {
            var sweeps = await _experiments.ListSweepsAsync(100, request.HttpContext.RequestAborted);
            return new JsonBodyResult(new SweepListResponse([.. sweeps.Select(SweepSummary.From)]));
        }, _logger);

    [Function("GetSweep")]
    [ApiOperation("A tracked sweep with its request, leaderboard and trials", Errors = [ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(SweepDetailResponse), "The sweep.")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "sweeps/{sweepId}")] HttpRequest request, string sweepId) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var sweep = await _experiments.GetSweepAsync(sweepId, cancellationToken) ?? throw ServingException.NotFound($"No sweep '{sweepId}'.");
            var trials = await _experiments.ListTrialsAsync(sweepId, cancellationToken);
            var leaderboard = Leaderboard.Rank(trials, sweep.Metric, t => t.Status == TrialResult.Succeeded, t => t.TrialId, t => t.Metrics)
                .Select((t, i) => new LeaderboardEntry(i + 1, t.TrialId, t.Algorithm, t.Metrics[sweep.Metric]));
            return new JsonBodyResult(new SweepDetailResponse(SweepSummary.From(sweep), TrackedJson.Parse(sweep.RequestJson), [.. leaderboard],
                [.. trials.Select(TrialSummary.From)]));
        }, _logger);
}
