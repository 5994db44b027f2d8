using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;

namespace Serverless.Core.Mirroring;

/// <summary>
/// The request path's side of mirroring: after the primary's answer is built, <see cref="Offer"/> copies the request, with
/// probability percent/100, into a bounded in-memory channel (<see cref="MirrorOptions.Capacity"/>) that <see cref="MirrorSender"/>
/// drains to the Storage queue. Never waits and never throws: a full channel or a body too big for a queue message drops the
/// copy and counts it (<see cref="MirrorCounters"/>), as do copies past <see cref="MirrorOptions.MaxCopiesPerSecond"/>. Costs one random draw per request on a mirrored route, and a copy of the
/// body for a mirrored one. Thread-safe; one per process.
/// </summary>
public sealed class MirrorDispatcher
{
    private readonly Channel<MirrorCopy> _channel;
    private readonly MirrorCounters _counters;
    private readonly TimeProvider _clock;
    private readonly int _maxPerSecond;
    private long _second = -1;
    private int _inSecond;

    public MirrorDispatcher(IOptions<MirrorOptions> options, MirrorCounters counters, TimeProvider clock)
    {
        _maxPerSecond = options.Value.MaxCopiesPerSecond;
        _channel = Channel.CreateBounded<MirrorCopy>(new BoundedChannelOptions(options.Value.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = false,
        });
        _counters = counters;
        _clock = clock;
    }

    /// <summary>The copies waiting for the sender.</summary>
    public ChannelReader<MirrorCopy> Reader => _channel.Reader;

    /// <summary>
    /// Copies the request served by <paramref name="route"/> to its mirror, if it has one and the draw says so. The host's own
    /// warm-up requests are never mirrored. <paramref name="log"/> gives the primary's request id (settled here if it was not yet).
    /// </summary>
    public void Offer(ModelRoute route, string source, InferenceLogCapture log, ReadOnlySpan<byte> body)
    {
        if (route.Mirror is not { } mirror || log.IsWarmup || (route.MirrorPercent < 100 && Random.Shared.Next(100) >= route.MirrorPercent))
        {
            return;
        }

        try
        {
            if (!TakeRateSlot())
            {
                _counters.CountDropped(MirrorDropReasons.RateLimited);
                return;
            }

            if (body.Length > MirrorMessage.MaxBytes)
            {
                _counters.CountDropped(MirrorDropReasons.TooLarge);
                return;
            }

            var copy = new MirrorCopy(mirror.Name, mirror.Version, source, log.EnsureRequestId(), _clock.GetUtcNow(), body.ToArray());
            if (!_channel.Writer.TryWrite(copy))
            {
                _counters.CountDropped(MirrorDropReasons.QueueFull);
            }
        }
        catch (Exception)
        {
            // The primary's answer never depends on its mirror.
            _counters.CountDropped(MirrorDropReasons.Unavailable);
        }
    }

    /// <summary>
    /// One of this second's <see cref="MirrorOptions.MaxCopiesPerSecond"/> slots, if any is left (fixed one-second windows; at a
    /// window's turn a few copies more or less may pass, which is all the protection needs).
    /// </summary>
    private bool TakeRateSlot()
    {
        var second = _clock.GetTimestamp() / _clock.TimestampFrequency;
        if (Volatile.Read(ref _second) != second && Interlocked.Exchange(ref _second, second) != second)
        {
            Volatile.Write(ref _inSecond, 0);
        }

        return Interlocked.Increment(ref _inSecond) <= _maxPerSecond;
    }
}
