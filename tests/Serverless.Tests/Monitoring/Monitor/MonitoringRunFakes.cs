using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary>A monitoring run that signals when it starts and finishes when released.</summary>
internal sealed class SlowRunner : IMonitoringRunner
{
    private int _calls;

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Exception? Failure { get; set; }

    public bool SawCancellation { get; private set; }

    public int Calls => Volatile.Read(ref _calls);

    public async Task<MonitoringRunResult> RunAsync(string? onlyModel, string runId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Started.TrySetResult();
        await Release.Task;
        SawCancellation = cancellationToken.IsCancellationRequested;
        if (Failure is { } failure)
        {
            throw failure;
        }

        return new MonitoringRunResult(runId, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], 0, []);
    }
}

/// <summary>A run lock held here (counted) or, when <see cref="HeldElsewhere"/>, by another instance.</summary>
internal sealed class FakeLock : IMonitoringRunLock
{
    private int _held;

    public bool HeldElsewhere { get; init; }

    public int Held => Volatile.Read(ref _held);

    public Task<IAsyncDisposable?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (HeldElsewhere)
        {
            return Task.FromResult<IAsyncDisposable?>(null);
        }

        Interlocked.Increment(ref _held);
        return Task.FromResult<IAsyncDisposable?>(new Releaser(this));
    }

    private sealed class Releaser(FakeLock owner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Interlocked.Decrement(ref owner._held);
            return ValueTask.CompletedTask;
        }
    }
}
