using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// The outcome of <see cref="DriftEngine.Compare"/>: one <see cref="FeatureDrift"/> per reference feature (in the
/// reference's order), the share of drifted features (drifted / features) and whether that share reaches
/// <see cref="DriftOptions.DriftShareThreshold"/>, the dataset row counts and the options used. Immutable; JSON
/// snake_case with <c>null</c>s written (a distance method's <c>p_value</c> is <c>null</c>) and ±∞ written as the
/// strings "Infinity" / "-Infinity".
/// </summary>
public sealed record DriftReport
{
    public required IReadOnlyList<FeatureDrift> Features { get; init; }

    public required bool DatasetDrift { get; init; }

    public required double DriftShare { get; init; }

    public required int DriftedCount { get; init; }

    public required long NReference { get; init; }

    public required long NCurrent { get; init; }

    public required DriftOptions Options { get; init; }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson(bool indented = false) =>
        JsonSerializer.Serialize(this, indented ? new JsonSerializerOptions(Json) { WriteIndented = true } : Json);

    public static DriftReport FromJson(string json) =>
        JsonSerializer.Deserialize<DriftReport>(json, Json) ?? throw new JsonException("The drift report is null.");
}
