using System.Text;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;

namespace Serverless.Tests.Support;

/// <summary>
/// Runs an orchestrator once, without a Durable backend, and records the history it would write: per instance, the
/// events the Durable Task engine stores (execution started with the input; each activity's scheduled event with its
/// input and completed event with its result; each sub-orchestration's created and completed events, the child running
/// as its own instance; execution completed with the output; one orchestrator started/completed pair per completed
/// task, as if no completions were batched). Payloads go through the SDK's JSON data converter; an event's size is its
/// JSON (as the Azure Storage provider keeps it). Activities and sub-orchestrators are the delegates given; they run
/// inline, so the run is deterministic. Not thread-safe.
/// </summary>
internal sealed class RecordingOrchestrationContext : TaskOrchestrationContext
{
    private static readonly DataConverter Converter = JsonDataConverter.Default;

    private readonly RecordedHistory _history;
    private readonly string _input;
    private readonly List<HistoryEvent> _events = [];
    private int _nextEventId;

    private RecordingOrchestrationContext(RecordedHistory history, string name, string instanceId, string input)
    {
        _history = history;
        Name = new TaskName(name);
        InstanceId = instanceId;
        _input = input;
        _history.Instances[instanceId] = _events;
        Record(new ExecutionStartedEvent(-1, input) { Name = name, OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId } });
    }

    public override TaskName Name { get; }

    public override string InstanceId { get; }

    public override ParentOrchestrationInstance? Parent => null;

    public override DateTime CurrentUtcDateTime => new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public override bool IsReplaying => false;

    protected override ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    /// <summary>Runs <paramref name="orchestrator"/> as instance "root" on <paramref name="input"/> and returns what every instance recorded.</summary>
    public static async Task<(RecordedHistory History, TOutput Output)> RunAsync<TInput, TOutput>(
        TaskOrchestrator<TInput, TOutput> orchestrator, TInput input, RecordedHistory history)
    {
        var context = new RecordingOrchestrationContext(history, orchestrator.GetType().Name, "root", Converter.Serialize(input)!);
        var output = await orchestrator.RunAsync(context, context.GetInput<TInput>());
        context.Record(new ExecutionCompletedEvent(-1, Converter.Serialize(output), OrchestrationStatus.Completed));
        return (history, output);
    }

    public override T GetInput<T>() => Converter.Deserialize<T>(_input)!;

    public override async Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        var serialized = Converter.Serialize(input);
        var scheduled = Record(new TaskScheduledEvent(_nextEventId++, name.Name, string.Empty, serialized));
        var result = Converter.Serialize(await _history.Activities[name.Name](serialized));
        Episode(new TaskCompletedEvent(-1, scheduled.EventId, result));
        return Converter.Deserialize<TResult>(result)!;
    }

    public override async Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null)
    {
        var serialized = Converter.Serialize(input)!;
        var childId = (options as SubOrchestrationOptions)?.InstanceId ?? $"{InstanceId}:{_nextEventId}";
        var created = Record(new SubOrchestrationInstanceCreatedEvent(_nextEventId++) { Name = orchestratorName.Name, InstanceId = childId, Input = serialized });
        var child = new RecordingOrchestrationContext(_history, orchestratorName.Name, childId, serialized);
        var output = Converter.Serialize(await _history.Orchestrators[orchestratorName.Name](child));
        child.Record(new ExecutionCompletedEvent(-1, output, OrchestrationStatus.Completed));
        Episode(new SubOrchestrationInstanceCompletedEvent(-1, created.EventId, output));
        return Converter.Deserialize<TResult>(output)!;
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => throw new NotSupportedException();

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override void SendEvent(string instanceId, string eventName, object payload) => throw new NotSupportedException();

    public override void SetCustomStatus(object? customStatus) =>
        _history.LargestCustomStatus = Math.Max(_history.LargestCustomStatus, Encoding.UTF8.GetByteCount(Converter.Serialize(customStatus) ?? string.Empty));

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => throw new NotSupportedException();

    public override Guid NewGuid() => Guid.NewGuid();

    private void Episode(HistoryEvent completion)
    {
        Record(new OrchestratorStartedEvent(-1));
        Record(completion);
        Record(new OrchestratorCompletedEvent(-1));
    }

    private HistoryEvent Record(HistoryEvent historyEvent)
    {
        _events.Add(historyEvent);
        return historyEvent;
    }
}

/// <summary>What a <see cref="RecordingOrchestrationContext"/> run wrote, and the fakes it ran with.</summary>
internal sealed class RecordedHistory
{
    /// <summary>Activity fakes by name: serialised input to result.</summary>
    public Dictionary<string, Func<string?, Task<object?>>> Activities { get; } = new(StringComparer.Ordinal);

    /// <summary>Sub-orchestrators by name, run on their own context.</summary>
    public Dictionary<string, Func<TaskOrchestrationContext, Task<object?>>> Orchestrators { get; } = new(StringComparer.Ordinal);

    public RecordedHistory AddActivity<TInput, TOutput>(string name, Func<TInput, TOutput> run)
    {
        Activities[name] = input => Task.FromResult<object?>(run(JsonDataConverter.Default.Deserialize<TInput>(input)!));
        return this;
    }

    public RecordedHistory AddOrchestrator<TInput, TOutput>(string name, TaskOrchestrator<TInput, TOutput> orchestrator)
    {
        Orchestrators[name] = async context => await orchestrator.RunAsync(context, context.GetInput<TInput>()!);
        return this;
    }

    /// <summary>Each instance's events, in order.</summary>
    public Dictionary<string, List<HistoryEvent>> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>The largest custom status set, in bytes of JSON (kept beside the history, not in it).</summary>
    public int LargestCustomStatus { get; set; }

    public static int Size(HistoryEvent historyEvent) => Encoding.UTF8.GetByteCount(JsonConvert.SerializeObject(historyEvent));

    public long TotalBytes => Instances.Values.SelectMany(e => e).Sum(e => (long)Size(e));

    public int TotalEvents => Instances.Values.Sum(e => e.Count);

    public long LargestInstanceBytes => Instances.Values.Max(events => events.Sum(e => (long)Size(e)));

    public int LargestInstanceEvents => Instances.Values.Max(events => events.Count);

    public int LargestEvent => Instances.Values.SelectMany(e => e).Max(Size);
}
