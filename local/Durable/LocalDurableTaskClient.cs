using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;

namespace Serverless.Local.Durable;

/// <summary>
/// The <see cref="DurableTaskClient"/> that <c>[DurableClient]</c> parameters get in the local runner: starts,
/// queries, terminates, suspends and resumes orchestrations directly on the task hub's storage, serialising
/// inputs with the same JSON data converter the orchestrations read them with. Thread-safe.
/// </summary>
internal sealed class LocalDurableTaskClient : DurableTaskClient
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a completion wait looks once an episode in this process has ended the instance, until storage shows it.</summary>
    private static readonly TimeSpan CommitPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>Quick looks after a signal (about a second) before going back to <see cref="PollInterval"/>.</summary>
    private const int MaxCommitPolls = 200;

    private readonly DurableTaskHub _hub;
    private readonly OrchestrationEndSignals _ends;
    private readonly DataConverter _converter = JsonDataConverter.Default;

    public LocalDurableTaskClient(DurableTaskHub hub, OrchestrationEndSignals ends)
        : base(hub.HubName)
    {
        _hub = hub;
        _ends = ends;
    }

    private IOrchestrationServiceClient Client => _hub.Service;

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null,
        StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var instance = new OrchestrationInstance
        {
            InstanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N"),
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        var started = new ExecutionStartedEvent(-1, _converter.Serialize(input))
        {
            Name = orchestratorName.Name,
            Version = options?.Version?.Version ?? string.Empty,
            OrchestrationInstance = instance,
            ScheduledStartTime = options?.StartAt?.UtcDateTime,
            Tags = options?.Tags is null ? null : new Dictionary<string, string>(options.Tags),
        };
        await Client.CreateTaskOrchestrationAsync(new TaskMessage { Event = started, OrchestrationInstance = instance },
            [OrchestrationStatus.Pending, OrchestrationStatus.Running]).WaitAsync(cancellation).ConfigureAwait(false);
        return instance.InstanceId;
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new EventRaisedEvent(-1, _converter.Serialize(eventPayload)) { Name = eventName }, cancellation);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Client.ForceTerminateTaskOrchestrationAsync(instanceId, _converter.Serialize(options?.Output)).WaitAsync(cancellation);

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionSuspendedEvent(-1, reason), cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionResumedEvent(-1, reason), cancellation);

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false,
        CancellationToken cancellation = default)
    {
        var states = await Client.GetOrchestrationStateAsync(instanceId, allExecutions: false).WaitAsync(cancellation).ConfigureAwait(false);
        var state = states?.FirstOrDefault();
        return state is null ? null : ToMetadata(state, getInputsAndOutputs);
    }

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false,
        CancellationToken cancellation = default) =>
        PollAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus != OrchestrationRuntimeStatus.Pending, signalled: false, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false,
        CancellationToken cancellation = default) =>
        PollAsync(instanceId, getInputsAndOutputs, m => m.IsCompleted, signalled: true, cancellation);

    public override async Task<Microsoft.DurableTask.Client.PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var result = await ((IOrchestrationServicePurgeClient)_hub.Service).PurgeInstanceStateAsync(instanceId).WaitAsync(cancellation).ConfigureAwait(false);
        return new Microsoft.DurableTask.Client.PurgeResult(result.DeletedInstanceCount);
    }

    /// <summary>Instances page by page, as the task hub's storage answers its query (no order is promised).</summary>
    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Pageable.Create(async (continuation, pageSize, cancellation) =>
        {
            var query = new DurableTask.Core.Query.OrchestrationQuery
            {
                PageSize = pageSize ?? filter?.PageSize ?? OrchestrationQuery.DefaultPageSize,
                ContinuationToken = continuation ?? filter?.ContinuationToken,
                CreatedTimeFrom = filter?.CreatedFrom?.UtcDateTime,
                CreatedTimeTo = filter?.CreatedTo?.UtcDateTime,
                InstanceIdPrefix = filter?.InstanceIdPrefix,
                FetchInputsAndOutputs = filter?.FetchInputsAndOutputs ?? false,
                RuntimeStatus = filter?.Statuses?.Select(s => (OrchestrationStatus)s).ToList(),
            };
            var result = await ((DurableTask.Core.Query.IOrchestrationServiceQueryClient)_hub.Service).GetOrchestrationWithQueryAsync(query, cancellation).ConfigureAwait(false);
            return new Page<OrchestrationMetadata>([.. result.OrchestrationState.Select(s => ToMetadata(s, query.FetchInputsAndOutputs))], result.ContinuationToken);
        });

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task SendAsync(string instanceId, HistoryEvent historyEvent, CancellationToken cancellation) =>
        Client.SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId },
            Event = historyEvent,
        }).WaitAsync(cancellation);

    /// <summary>
    /// Reads the instance until <paramref name="done"/>, every <see cref="PollInterval"/>; when <paramref name="signalled"/>, an
    /// episode of this process ending the instance (<see cref="OrchestrationEndSignals"/>) cuts the wait short, and the state is
    /// then read every <see cref="CommitPollInterval"/> until the engine has committed it.
    /// </summary>
    private async Task<OrchestrationMetadata> PollAsync(string instanceId, bool getInputsAndOutputs, Func<OrchestrationMetadata, bool> done,
        bool signalled, CancellationToken cancellation)
    {
        var ending = signalled ? _ends.Ending(instanceId) : null;
        var commitPolls = 0;
        try
        {
            while (true)
            {
                var metadata = await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation).ConfigureAwait(false);
                if (metadata is not null && done(metadata))
                {
                    return metadata;
                }

                if (commitPolls > 0)
                {
                    commitPolls--;
                    await Task.Delay(CommitPollInterval, cancellation).ConfigureAwait(false);
                    continue;
                }

                var delay = Task.Delay(PollInterval, cancellation);
                if (ending is not null && await Task.WhenAny(ending, delay).ConfigureAwait(false) == ending)
                {
                    commitPolls = MaxCommitPolls;
                    ending = _ends.Ending(instanceId);
                    continue;
                }

                await delay.ConfigureAwait(false);
            }
        }
        finally
        {
            if (ending is not null)
            {
                _ends.Forget(instanceId);
            }
        }
    }

    private OrchestrationMetadata ToMetadata(OrchestrationState state, bool getInputsAndOutputs) =>
        new(state.Name, state.OrchestrationInstance.InstanceId)
        {
            DataConverter = _converter,
            RuntimeStatus = (OrchestrationRuntimeStatus)state.OrchestrationStatus,
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.CreatedTime, DateTimeKind.Utc)),
            LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedTime, DateTimeKind.Utc)),
            SerializedInput = getInputsAndOutputs ? state.Input : null,
            SerializedOutput = getInputsAndOutputs ? state.Output : null,
            SerializedCustomStatus = state.Status,
            FailureDetails = ToFailure(state.FailureDetails) ?? FailureFromOutput(state),
        };

    /// <summary>The Azure Storage provider keeps a failed orchestration's failure details as its output.</summary>
    private static TaskFailureDetails? FailureFromOutput(OrchestrationState state)
    {
        if (state.OrchestrationStatus != OrchestrationStatus.Failed || string.IsNullOrEmpty(state.Output))
        {
            return null;
        }

        try
        {
            var failure = Newtonsoft.Json.JsonConvert.DeserializeObject<FailureDetails>(state.Output);
            if (failure?.ErrorMessage is not null)
            {
                return ToFailure(failure);
            }
        }
        catch (Newtonsoft.Json.JsonException)
        {
            // Not failure details: the output is the message itself.
        }

        return new TaskFailureDetails("OrchestrationFailed", state.Output, null, null, null);
    }

    private static TaskFailureDetails? ToFailure(FailureDetails? failure) =>
        failure is null ? null : new TaskFailureDetails(failure.ErrorType, failure.ErrorMessage, failure.StackTrace, ToFailure(failure.InnerFailure), null);
}
