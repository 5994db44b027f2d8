using System.Collections.Concurrent;

namespace Serverless.Local.Durable;

/// <summary>
/// Tells a waiter in this process that an episode of its orchestration instance has just decided to end it (completed,
/// failed or continued as new), so <see cref="LocalDurableTaskClient.WaitForInstanceCompletionAsync"/> can look again at
/// once instead of after its next poll interval. The signal comes before the engine commits the episode to storage, so the
/// waiter still reads the committed state (polling briefly until it shows). Waiters that are not signalled (an instance
/// ended by another runner) fall back to polling. Thread-safe; holds one entry per instance being waited on.
/// </summary>
internal sealed class OrchestrationEndSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <summary>A task that completes when an episode of <paramref name="instanceId"/> ends the instance; <see cref="Forget"/> it when done waiting.</summary>
    public Task Ending(string instanceId) =>
        _waiters.GetOrAdd(instanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>An episode of <paramref name="instanceId"/> decided to end it.</summary>
    public void Signal(string instanceId)
    {
        if (_waiters.TryRemove(instanceId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Drops the entry of a waiter that stops waiting (a later waiter makes a new one).</summary>
    public void Forget(string instanceId) => _waiters.TryRemove(instanceId, out _);

    /// <summary>Instances being waited on (for tests: no entry outlives its waiter).</summary>
    public int Count => _waiters.Count;
}
