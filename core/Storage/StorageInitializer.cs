namespace Serverless.Core.Storage;

/// <summary>
/// Runs an idempotent creation step (containers, tables) once per process; a failed attempt is retried by the
/// next caller instead of being cached. Thread-safe.
/// </summary>
public sealed class StorageInitializer
{
    private readonly Func<CancellationToken, Task> _initialize;
    private readonly Lock _gate = new();
    private Task? _task;

    public StorageInitializer(Func<CancellationToken, Task> initialize)
    {
        _initialize = initialize;
    }

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        var task = _task;
        if (task is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
            {
                _task = _initialize(CancellationToken.None);
            }

            return _task.WaitAsync(cancellationToken);
        }
    }
}
