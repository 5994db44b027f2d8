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
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.Http;
using Serverless.Functions.Orchestrations;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Training;

/// <summary>
/// Training sweeps over HTTP: start one (202 with the instance id, which is also the sweep id, and a Location to
/// poll), and read the experiment store: every sweep, or one with its trials and leaderboard.
/// </summary>
public sealed class TrainingSweepApiFunctions
{
    private const int MaxStartBodyBytes = 64 * 1024;
    private const int HeaderProbeBytes = 64 * 1024;

    private readonly InputBlobReader _input;
    private readonly ExperimentStore _experiments;
    private readonly TrainingOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<TrainingSweepApiFunctions> _logger;

    public TrainingSweepApiFunctions(InputBlobReader input, ExperimentStore experiments, IOptions<TrainingOptions> options, TimeProvider clock,
        ILogger<TrainingSweepApiFunctions> logger)
    {
        _input = input;
        _experiments = experiments;
        _options = options.Value;
        _clock = clock;
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
            var sweep = TrainingSweepRequestReader.Read(body.Memory);
            await CheckDatasetAsync(sweep, cancellationToken);
            var sweepId = $"sweep-{_clock.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
            var input = new SweepInput(sweepId, sweep, Encoding.UTF8.GetString(body.Memory.Span), _options.PollInterval, _options.TrialTimeout);
            await client.ScheduleNewOrchestrationInstanceAsync(TrainingSweepOrchestrator.Name, input,
                new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = sweepId }, cancellationToken);
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

    /// <summary>The dataset must exist and its header must hold the target and any listed features (a 404 or 400 now rather than a failed sweep later).</summary>
    private async Task CheckDatasetAsync(TrainingSweepRequest sweep, CancellationToken cancellationToken)
    {
        var blob = _input.Blob(sweep.Dataset);
        if (!await blob.ExistsAsync(cancellationToken))
        {
            throw ServingException.NotFound($"Dataset blob '{sweep.Dataset}' not found.");
        }

        var head = await _input.ReadAsync(sweep.Dataset, 0, HeaderProbeBytes, cancellationToken);
        var newline = Array.IndexOf(head, (byte)'\n');
        var header = Encoding.UTF8.GetString(head, 0, newline < 0 ? head.Length : newline).TrimEnd('\r').TrimStart('\uFEFF')
            .Split(',').Select(c => c.Trim().Trim('"')).ToHashSet(StringComparer.Ordinal);
        foreach (var column in new[] { sweep.Target }.Concat(sweep.Features?.Select(f => f.Name) ?? []))
        {
            if (!header.Contains(column))
            {
                throw ServingException.BadRequest($"Column '{column}' is not in the dataset's header ({string.Join(", ", header)}).");
            }
        }
    }
}
