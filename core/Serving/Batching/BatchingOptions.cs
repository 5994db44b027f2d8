using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Serving.Batching;

/// <summary>
/// Dynamic batching (configuration section <c>Batching</c>), off unless a model is named: <c>Batching:Models:{model}:MaxBatchSize</c>,
/// <c>…:MaxQueueDelayMicroseconds</c>, <c>…:MaxConcurrentBatches</c>. Applies to every version of that model whose inputs and
/// outputs all have a free first (batch) dimension and fixed-size elements; other versions serve request by request.
/// </summary>
public sealed class BatchingOptions
{
    public const string SectionName = "Batching";

    /// <summary>The models batched, by name, and how.</summary>
    public Dictionary<string, ModelBatching> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The settings for <paramref name="model"/>, or null when it is not batched.</summary>
    public ModelBatching? For(string model) => Models.GetValueOrDefault(model);
}

/// <summary>How one model's concurrent requests are merged into one <c>Run</c>.</summary>
public sealed class ModelBatching
{
    /// <summary>Most rows (summed first dimensions) in one merged <c>Run</c>; a request with more runs alone.</summary>
    [Range(2, 65_536)]
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>
    /// How long the first request of a batch waits for others, in microseconds (0: no wait; a batch is whatever queued
    /// while the previous one ran, which adds no latency when requests come one at a time).
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxQueueDelayMicroseconds { get; set; }

    /// <summary>Batches of one version that may run at once (each on its own thread of the pool).</summary>
    [Range(1, 64)]
    public int MaxConcurrentBatches { get; set; } = 1;
}
