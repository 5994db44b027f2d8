using System.Text;
using System.Text.Json;
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
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "sweeps")] HttpRequest request) =>
        ApiResults.GuardAsync(async () =>
        {
            var sweeps = await _experiments.ListSweepsAsync(100, request.HttpContext.RequestAborted);
            return new JsonBodyResult(new { sweeps = sweeps.Select(SweepDto) });
        }, _logger);

    [Function("GetSweep")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "sweeps/{sweepId}")] HttpRequest request, string sweepId) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var sweep = await _experiments.GetSweepAsync(sweepId, cancellationToken) ?? throw ServingException.NotFound($"No sweep '{sweepId}'.");
            var trials = await _experiments.ListTrialsAsync(sweepId, cancellationToken);
            var succeeded = trials.Where(t => t.Status == TrialResult.Succeeded && t.Metrics.ContainsKey(sweep.Metric));
            var leaderboard = (MetricNames.HigherIsBetter(sweep.Metric)
                    ? succeeded.OrderByDescending(t => t.Metrics[sweep.Metric])
                    : succeeded.OrderBy(t => t.Metrics[sweep.Metric]))
                .ThenBy(t => t.TrialId, StringComparer.Ordinal)
                .Select((t, i) => new { rank = i + 1, trial_id = t.TrialId, algorithm = t.Algorithm, value = t.Metrics[sweep.Metric] });
            return new JsonBodyResult(new
            {
                sweep = SweepDto(sweep),
                request = Parse(sweep.RequestJson),
                leaderboard,
                trials = trials.Select(t => new
                {
                    trial_id = t.TrialId,
                    algorithm = t.Algorithm,
                    hyperparameters = Parse(t.HyperparametersJson),
                    status = t.Status,
                    metrics = t.Metrics,
                    error = t.Error,
                    runner = t.Runner,
                    execution_id = t.ExecutionId,
                    artifacts = t.OutputUri,
                    train_seconds = t.TrainSeconds,
                    started_utc = t.StartedUtc,
                    ended_utc = t.EndedUtc,
                }),
            });
        }, _logger);

    private static object SweepDto(SweepRecord s) => new
    {
        sweep_id = s.SweepId,
        status = s.Status,
        model_name = s.ModelName,
        dataset = s.Dataset,
        target = s.Target,
        task = s.Task,
        metric = s.Metric,
        data_fingerprint = s.DataFingerprint,
        train_rows = s.TrainRows,
        validation_rows = s.ValidationRows,
        trials_total = s.TrialsTotal,
        trials_succeeded = s.TrialsSucceeded,
        trials_failed = s.TrialsFailed,
        best_trial_id = s.BestTrialId,
        best_value = s.BestValue,
        registered_version = s.RegisteredVersion,
        promoted = s.Promoted,
        promotion_reason = s.PromotionReason,
        error = s.Error,
        created_utc = s.CreatedUtc,
        completed_utc = s.CompletedUtc,
    };

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
