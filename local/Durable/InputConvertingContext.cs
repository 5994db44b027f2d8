using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;

namespace Serverless.Local.Durable;

/// <summary>
/// Hands a function-based orchestrator its input the way the isolated worker does: <c>GetInput&lt;T&gt;()</c>
/// converts the JSON input to whatever T the function asks for. (The engine's shim deserialises the input once,
/// to the orchestrator's declared input type, which a function does not declare.) Everything else is passed
/// through to the engine's context unchanged.
/// </summary>
internal sealed class InputConvertingContext : TaskOrchestrationContext
{
    private readonly TaskOrchestrationContext _inner;
    private readonly ILoggerFactory _loggers;

    public InputConvertingContext(TaskOrchestrationContext inner, ILoggerFactory loggers)
    {
        _inner = inner;
        _loggers = loggers;
    }

    public override TaskName Name => _inner.Name;

    public override string InstanceId => _inner.InstanceId;

    public override ParentOrchestrationInstance? Parent => _inner.Parent;

    public override DateTime CurrentUtcDateTime => _inner.CurrentUtcDateTime;

    public override bool IsReplaying => _inner.IsReplaying;

    public override TaskOrchestrationEntityFeature Entities => _inner.Entities;

    /// <summary>The host's loggers; the base class makes them replay-safe in CreateReplaySafeLogger.</summary>
    protected override ILoggerFactory LoggerFactory => _loggers;

    public override T GetInput<T>()
    {
        var input = _inner.GetInput<object>();
        return input switch
        {
            null => default!,
            T typed => typed,
            JsonElement json => json.Deserialize<T>()!,
            _ => throw new InvalidCastException($"The orchestration input is a {input.GetType().Name}, not a {typeof(T).Name}."),
        };
    }

    public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null) =>
        _inner.CallActivityAsync<TResult>(name, input, options);

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => _inner.CreateTimer(fireAt, cancellationToken);

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) =>
        _inner.WaitForExternalEvent<T>(eventName, cancellationToken);

    public override void SendEvent(string instanceId, string eventName, object payload) => _inner.SendEvent(instanceId, eventName, payload);

    public override void SetCustomStatus(object? customStatus) => _inner.SetCustomStatus(customStatus);

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
        _inner.CallSubOrchestratorAsync<TResult>(orchestratorName, input, options);

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => _inner.ContinueAsNew(newInput, preserveUnprocessedEvents);

    public override Guid NewGuid() => _inner.NewGuid();
}
