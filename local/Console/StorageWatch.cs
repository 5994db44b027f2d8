namespace Serverless.Local.Console;

/// <summary>
/// Probes <see cref="StorageReachability"/> every couple of seconds while the runner runs and says, once each, when
/// storage stops answering (what, where, what to do) and when it answers again.
/// </summary>
internal sealed class StorageWatch : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly StorageReachability _storage;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public StorageWatch(StorageReachability storage, TimeProvider time, ILoggerFactory loggers)
    {
        _storage = storage;
        _time = time;
        _logger = loggers.CreateLogger("Storage");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, _time, stoppingToken).ConfigureAwait(false);
                var unreachable = await _storage.UnreachableAsync(stoppingToken).ConfigureAwait(false);
                if (unreachable.Count > 0 && !_storage.IsDown)
                {
                    _storage.Set(down: true);
                    _logger.LogWarning("{Problem} Retrying quietly; requests that need storage answer 503 meanwhile.", _storage.Describe(unreachable));
                }
                else if (unreachable.Count == 0 && _storage.IsDown)
                {
                    _storage.Set(down: false);
                    _logger.LogInformation("Storage answers again.");
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
