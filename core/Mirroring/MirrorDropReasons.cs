namespace Serverless.Core.Mirroring;

/// <summary>Why a mirror copy was dropped: the <c>reason</c> tag of <c>mirror.copies.dropped</c> and the keys of the status answer.</summary>
public static class MirrorDropReasons
{
    /// <summary>The in-memory channel to the sender was full (the queue is slow or unreachable, or traffic outruns the sender).</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The message would be over the Storage queue's 64 KiB (the body is never truncated).</summary>
    public const string TooLarge = "too_large";

    /// <summary>The queue could not be reached, or sending failed.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The copy was older than <see cref="MirrorOptions.MaxAgeSeconds"/> when the mirror's function took it (the queue is behind).</summary>
    public const string Stale = "stale";

    /// <summary>More copies this second than <see cref="MirrorOptions.MaxCopiesPerSecond"/> allows (the storage account is protected).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Every reason, in the order the status answer lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [QueueFull, TooLarge, Unavailable, Stale, RateLimited];
}
