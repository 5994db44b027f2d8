using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Retraining;
using Serverless.Core.Storage;
using Serverless.Core.Training.Runners;
using Serverless.Orchestrations.Training;

namespace Serverless.Orchestrations.Retraining;

/// <summary>
/// Starts retraining runs, whoever asks (a caller, the monitor's findings, the schedule): the model needs a policy
/// (NotFound), the guardrails must allow it (<see cref="RetrainingGuardrailRules"/>; Conflict saying which), a sweep slot
/// must be free (<see cref="SweepQuota"/>, so the loop's sweeps count against <c>Training:MaxConcurrentSweeps</c> like any
/// other; checked, not reserved, since the run's sweep starts after its export; Conflict when full), the sweep is
/// built from the policy's template (<see cref="BuildSweep"/>), and the run is stored (with the start gate, so two starts
/// cannot both land) before its orchestration is scheduled under the run's id. Also checks a policy before it is stored.
/// Thread-safe.
/// </summary>
public sealed class RetrainingStarter
{
    private static readonly JsonSerializerOptions TemplateJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly RetrainingStore _store;
    private readonly DataContainers _containers;
    private readonly RetrainingOptions _options;
    private readonly TrainingOptions _training;
    private readonly SweepQuota _quota;
    private readonly TimeProvider _clock;
    private readonly ILogger<RetrainingStarter> _logger;

    public RetrainingStarter(RetrainingStore store, DataContainers containers, IOptions<RetrainingOptions> options, IOptions<TrainingOptions> training,
        SweepQuota quota, TimeProvider clock, ILogger<RetrainingStarter> logger)
    {
        _quota = quota;
        _store = store;
        _containers = containers;
        _options = options.Value;
        _training = training.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The policy checked in full (its sweep template through the sweep's own validator); BadRequest naming the field.</summary>
    public RetrainingPolicy Check(string model, RetrainingPolicy policy)
    {
        RetrainingPolicyRules.Validate(policy, _containers);
        BuildSweep(model, policy, Dataset(model, "check"));
        return policy;
    }

    /// <summary>Starts a run for <paramref name="trigger"/>; returns it as stored.</summary>
    public async Task<RetrainingRun> StartAsync(string model, RetrainingTrigger trigger, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(client);
        var policy = await _store.GetPolicyAsync(model, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.NotFound($"Model '{model}' has no retraining policy; declare one with PUT /api/models/{model}/retraining.");
        var (gate, _) = await _store.GetGateAsync(model, cancellationToken).ConfigureAwait(false);
        var recent = await _store.ListRunsAsync(model, 100, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        if (RetrainingGuardrailRules.Refusal(policy, trigger.Kind, recent, now) is { } refusal)
        {
            throw ServingException.Conflict($"No retraining run of model '{model}' was started: {refusal}.");
        }

        if (await _quota.FullAsync(client, cancellationToken).ConfigureAwait(false) is { } full)
        {
            throw ServingException.Conflict($"No retraining run of model '{model}' was started: {full}.");
        }

        var runId = $"rt-{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var (sweep, sweepJson) = BuildSweep(model, policy, Dataset(model, runId));
        var run = await _store.CreateRunAsync(new RetrainingRun
        {
            RunId = runId,
            Model = model,
            Alias = policy.Alias,
            Status = RetrainingStatuses.Running,
            Trigger = trigger,
            CreatedUtc = now,
        }, gate, cancellationToken).ConfigureAwait(false);
        var input = new RetrainingInput(run, policy with { ETag = "" }, sweep, sweepJson, _options.PollInterval, _training.PollInterval,
            sweep.TrialTimeoutMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : _training.TrialTimeout, _training.MaxTrialsPerSweep);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(RetrainingOrchestrator.Name, input, new StartOrchestrationOptions { InstanceId = runId }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Retraining run {RunId} of {Model} could not be scheduled.", runId, model);
            await _store.SaveRunAsync(run with
            {
                Status = RetrainingStatuses.Failed,
                Decision = RetrainingDecisions.Failed,
                Reason = "its orchestration could not be scheduled (the cause is logged)",
                CompletedUtc = now,
            }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _logger.LogInformation("Retraining run {RunId} of {Model} started ({Trigger}: {Message}).", runId, model, trigger.Kind, trigger.Message);
        return run;
    }

    /// <summary>
    /// The sweep a run starts: the policy's template with the exported <paramref name="dataset"/>, the model's name and no
    /// promotion (the loop decides), checked by <see cref="TrainingSweepRequestValidator"/>; a mistake is a BadRequest naming
    /// the template's field (<c>sweep.…</c>).
    /// </summary>
    public (TrainingSweepRequest Sweep, string Json) BuildSweep(string model, RetrainingPolicy policy, string dataset)
    {
        var template = JsonNode.Parse(policy.Sweep.GetRawText())!.AsObject();
        template["dataset"] = dataset;
        template["model_name"] = model;
        var json = template.ToJsonString();
        try
        {
            var request = JsonSerializer.Deserialize<TrainingSweepRequest>(json, TemplateJson)
                ?? throw ServingException.BadRequest("'sweep' must be a training sweep request.");
            return (TrainingSweepRequestValidator.Validate(request, _training, _containers), json);
        }
        catch (JsonException e)
        {
            throw ServingException.BadRequest($"'sweep' does not fit a training sweep request at {e.Path ?? "$"} (an unknown field, or a value of the wrong type).");
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
            throw ServingException.BadRequest(e.Message.StartsWith('\'') ? "'sweep." + e.Message[1..] : "'sweep': " + e.Message);
        }
    }

    private string Dataset(string model, string runId) => $"{_options.ExportContainer}/retraining/{model}/{runId}.csv";
}
