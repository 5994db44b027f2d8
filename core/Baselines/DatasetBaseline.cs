using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Core.Baselines;

/// <summary>
/// The reference a deployed model's traffic is compared with: the per-feature distribution of its training data
/// (in the model's feature order), optionally the target's and the model's own predictions' on held-out data.
/// A baseline of millions of rows is a few kilobytes. Immutable; stored as <c>baseline.json</c> (snake_case).
/// </summary>
public sealed record DatasetBaseline
{
    public required long Rows { get; init; }

    public required IReadOnlyList<FeatureBaseline> Features { get; init; }

    public FeatureBaseline? Target { get; init; }

    /// <summary>The model's predictions (probability of the positive class, or the value) on the validation rows.</summary>
    public FeatureBaseline? Predictions { get; init; }

    /// <summary>The model's metrics on its validation rows at training (names as in Training.MetricNames), the yardstick for live performance.</summary>
    public IReadOnlyDictionary<string, double>? ValidationMetrics { get; init; }

    /// <summary>Where the baseline came from, such as "sweep sweep-20261128-abcd training split".</summary>
    public string? Source { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>
    /// Set when the monitor captured this baseline from the version's own traffic (it had none): the window of traffic
    /// it summarises. The monitor then judges only traffic after <see cref="TrafficToUtc"/> against it. Null for a
    /// baseline from training data or an upload.
    /// </summary>
    public DateTimeOffset? TrafficFromUtc { get; init; }

    /// <inheritdoc cref="TrafficFromUtc"/>
    public DateTimeOffset? TrafficToUtc { get; init; }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static DatasetBaseline FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<DatasetBaseline>(json, Json) ?? throw new JsonException("The baseline is null.");
}
