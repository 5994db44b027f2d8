using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Mirroring;

/// <summary>
/// Settings of mirror (shadow) traffic (configuration section <c>Mirror</c>). The queue's name is the app setting
/// <c>MirrorQueueName</c> (default <c>mirror-requests</c>), read by the queue trigger's binding itself and by the sender.
/// </summary>
public sealed class MirrorOptions
{
    public const string SectionName = "Mirror";
    public const string QueueSetting = "MirrorQueueName";
    public const string DefaultQueueName = "mirror-requests";

    /// <summary>Copies waiting in memory for the sender; beyond it new copies are dropped and counted (<c>queue_full</c>).</summary>
    [Range(1, 1_000_000)]
    public int Capacity { get; set; } = 1000;

    /// <summary>A copy older than this when its turn comes (the queue is behind) is dropped and counted (<c>stale</c>), in seconds.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int MaxAgeSeconds { get; set; } = 300;

    /// <summary>
    /// Most copies this instance makes per second; beyond it they are dropped and counted (<c>rate_limited</c>). Each copy costs
    /// the storage account about three queue transactions (send, receive, delete) plus the mirror's log records, and the registry,
    /// the inference log and Durable Functions share that account: a 100 % mirror of thousands of requests a second would
    /// otherwise saturate it (measured: Azurite fell minutes behind, and so did the primary's own registry reads).
    /// </summary>
    [Range(1, 100_000)]
    public int MaxCopiesPerSecond { get; set; } = 100;

    /// <summary>How many copies are sent to the queue at once.</summary>
    [Range(1, 64)]
    public int SendConcurrency { get; set; } = 4;

    /// <summary>After a failed send, copies are dropped (<c>unavailable</c>) without trying for this long, in seconds.</summary>
    [Range(0, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;
}
