using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serverless.Core.Serving;

/// <summary>
/// Readiness as a set of named gates that start-up work completes (models warmed, a host's request pipeline
/// warmed, ...): ready once every registered gate is complete. Register gates before the host starts.
/// Thread-safe; once ready, stays ready.
/// </summary>
public sealed class ServingReadiness
{
    /// <summary>Completed by <see cref="ModelWarmupService"/> once aliased versions are loaded and warm.</summary>
    public const string ModelsGate = "models";

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _completed = new(StringComparer.Ordinal);
    private readonly Lock _completing = new();
    private readonly long _created = Stopwatch.GetTimestamp();
    private volatile string _status = "starting";
    private volatile bool _ready;

    public ServingReadiness()
    {
        Register(ModelsGate);
    }

    public bool IsReady => _ready;

    public string Status => _status;

    /// <summary>Milliseconds from start-up until the last gate completed (null until ready).</summary>
    public double? StartupMs { get; private set; }

    /// <summary>Adds a gate readiness must wait for.</summary>
    public void Register(string gate) =>
        _gates.TryAdd(gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>
    /// Completes a gate. Readiness is settled before the gate's waiters run, so a waiter that wakes on the last gate
    /// already sees <see cref="IsReady"/>.
    /// </summary>
    public void Complete(string gate)
    {
        if (!_gates.TryGetValue(gate, out var completion))
        {
            return;
        }

        lock (_completing)
        {
            if (!_completed.Add(gate))
            {
                return;
            }

            if (_gates.Keys.All(_completed.Contains))
            {
                StartupMs = Stopwatch.GetElapsedTime(_created).TotalMilliseconds;
                _status = "ready";
                _ready = true;
            }
        }

        completion.TrySetResult();
    }

    /// <summary>Completes when <paramref name="gate"/> does (at once for a gate never registered).</summary>
    public Task WhenCompleted(string gate) => _gates.TryGetValue(gate, out var completion) ? completion.Task : Task.CompletedTask;

    public void Report(string status) => _status = status;
}
