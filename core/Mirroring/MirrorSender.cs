using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Mirroring;

/// <summary>
/// Drains <see cref="MirrorDispatcher"/>'s channel to <see cref="MirrorQueue"/>, <see cref="MirrorOptions.SendConcurrency"/>
/// sends at a time. A copy too big for a message is dropped (<c>too_large</c>); a failed send drops it (<c>unavailable</c>) and,
/// for <see cref="MirrorOptions.RetryAfterSeconds"/>, the copies after it too without trying, so an unreachable queue costs one
/// attempt per interval rather than one per copy. Nothing is retried: a mirror is a sample, not a delivery guarantee. Stops with
/// the host; copies still waiting then are dropped.
/// </summary>
public sealed class MirrorSender : BackgroundService
{
    private readonly MirrorDispatcher _dispatcher;
    private readonly MirrorQueue _queue;
    private readonly MirrorCounters _counters;
    private readonly MirrorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<MirrorSender> _logger;
    private long _retryAfterTimestamp;

    public MirrorSender(MirrorDispatcher dispatcher, MirrorQueue queue, MirrorCounters counters, IOptions<MirrorOptions> options, TimeProvider clock,
        ILogger<MirrorSender> logger)
    {
        _dispatcher = dispatcher;
        _queue = queue;
        _counters = counters;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.SendConcurrency).Select(_ => Task.Run(() => SendLoopAsync(stoppingToken), CancellationToken.None)));

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _dispatcher.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (_dispatcher.Reader.TryRead(out var copy))
                {
                    await SendAsync(copy, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends one copy, counting it as sent or dropped; never throws but for the host stopping.</summary>
    internal async Task SendAsync(MirrorCopy copy, CancellationToken stoppingToken)
    {
        if (_clock.GetTimestamp() < Volatile.Read(ref _retryAfterTimestamp))
        {
            _counters.CountDropped(MirrorDropReasons.Unavailable);
            return;
        }

        var message = MirrorMessage.Encode(copy);
        if (message is null)
        {
            _counters.CountDropped(MirrorDropReasons.TooLarge);
            return;
        }

        try
        {
            await _queue.SendAsync(message, stoppingToken).ConfigureAwait(false);
            _counters.CountSent();
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            _counters.CountDropped(MirrorDropReasons.Unavailable);
            var until = _clock.GetTimestamp() + (long)(_options.RetryAfterSeconds * (double)_clock.TimestampFrequency);
            if (Interlocked.Exchange(ref _retryAfterTimestamp, until) < _clock.GetTimestamp())
            {
                _logger.LogWarning("Mirror copies cannot be sent to their queue; dropping them for {Seconds} s: {Reason}", _options.RetryAfterSeconds, e.Message);
            }
        }
    }
}
