using Serverless.Core.Telemetry;

namespace Serverless.Core.Mirroring;

/// <summary>
/// This process's mirror copies: sent to the queue, scored (ok or failed on the mirror) and dropped by reason
/// (<see cref="MirrorDropReasons"/>). Each count is also published in <see cref="AppMetrics"/>. Thread-safe and lock-free.
/// </summary>
public sealed class MirrorCounters
{
    private readonly long[] _dropped = new long[MirrorDropReasons.All.Count];
    private long _sent;
    private long _scored;
    private long _failed;

    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Copies the mirror scored and logged.</summary>
    public long Scored => Volatile.Read(ref _scored);

    /// <summary>Copies the mirror failed on (logged as mirror error records).</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Copies dropped for <paramref name="reason"/> (one of <see cref="MirrorDropReasons.All"/>).</summary>
    public long Dropped(string reason) => Volatile.Read(ref _dropped[IndexOf(reason)]);

    /// <summary>True once any copy was offered, sent, scored or dropped in this process.</summary>
    public bool Any => Sent + Scored + Failed + MirrorDropReasons.All.Sum(Dropped) > 0;

    public void CountSent()
    {
        Interlocked.Increment(ref _sent);
        AppMetrics.RecordMirrorSent();
    }

    public void CountScored(bool ok)
    {
        Interlocked.Increment(ref ok ? ref _scored : ref _failed);
        AppMetrics.RecordMirrorScored(ok);
    }

    public void CountDropped(string reason)
    {
        Interlocked.Increment(ref _dropped[IndexOf(reason)]);
        AppMetrics.RecordMirrorDropped(reason);
    }

    private static int IndexOf(string reason) => reason switch
    {
        MirrorDropReasons.QueueFull => 0,
        MirrorDropReasons.TooLarge => 1,
        MirrorDropReasons.Unavailable => 2,
        MirrorDropReasons.Stale => 3,
        MirrorDropReasons.RateLimited => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a mirror drop reason."),
    };
}
