namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// A snapshot of inference logging's counters since the process started, in records (prediction rows):
/// <see cref="Enqueued"/> accepted into the buffer; <see cref="Written"/> confirmed by Table storage;
/// <see cref="Failed"/> enqueued but not written (storage refused them after the SDK's retries, or shutdown ran out
/// of time); <see cref="Dropped"/> never buffered because the buffer was full or closing; <see cref="Pending"/> enqueued
/// and not yet written or failed. <see cref="SampledOutRequests"/> counts requests the sample rate skipped.
/// Invariant: Enqueued = Written + Failed + Pending.
/// </summary>
public readonly record struct InferenceLogCounters(long Enqueued, long Written, long Dropped, long Failed, long Pending, long SampledOutRequests);
