using System.Text.Json;

namespace Serverless.TestModels;

/// <summary>
/// Tabular manifests (the JSON a pipeline would PUT) for the tabular <see cref="ReferenceModels"/>. Pure functions.
/// </summary>
public static class ReferenceManifests
{
    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// <see cref="ReferenceModels.LogisticRegression"/> as a binary model: tensor layout, features f0..f{n-1}, the
    /// [N, 1] positive-class "probability", no class labels (labels 0 and 1).
    /// </summary>
    public static string LogisticRegression(int features = 10, double? threshold = null) => Json(new Dictionary<string, object?>
    {
        ["task"] = "binary",
        ["features"] = Enumerable.Range(0, features).Select(i => new { name = FeatureName(i), type = "numeric" }).ToArray(),
        ["inputs"] = new { layout = "tensor", name = "input" },
        ["outputs"] = new { probability = "probability" },
        ["threshold"] = threshold,
    });

    /// <summary>The name of feature <paramref name="index"/> of <see cref="LogisticRegression"/>: "f0", "f1", ...</summary>
    public static string FeatureName(int index) => "f" + index;

    /// <summary>
    /// <see cref="ReferenceModels.PerFeatureBinaryClassifier"/>: per_feature layout, age in [0, 120], city one of
    /// <see cref="ReferenceModels.Cities"/>, class labels "no"/"yes"; probabilities from <paramref name="probabilityOutput"/>
    /// ("probabilities" [N, 2] or "probability" [N, 1]).
    /// </summary>
    public static string PerFeatureBinary(string probabilityOutput = "probabilities", double threshold = 0.5) => Json(new Dictionary<string, object?>
    {
        ["task"] = "binary",
        ["features"] = new object[]
        {
            new { name = "age", type = "numeric", min = 0, max = 120 },
            new { name = "city", type = "categorical", values = ReferenceModels.Cities },
        },
        ["inputs"] = new { layout = "per_feature" },
        ["outputs"] = new { probability = probabilityOutput },
        ["class_labels"] = new[] { "no", "yes" },
        ["threshold"] = threshold,
    });

    /// <summary>
    /// <see cref="ReferenceModels.ZipMapMulticlassClassifier"/>: tensor layout over the FP64 "input", features x0..x2,
    /// probabilities from the ZipMap output (or <paramref name="probabilityOutput"/>), labels <see cref="ReferenceModels.Animals"/>.
    /// </summary>
    public static string ZipMapMulticlass(string? probabilityOutput = "output_probability", string? labelOutput = "label") => Json(new Dictionary<string, object?>
    {
        ["task"] = "multiclass",
        ["features"] = Enumerable.Range(0, 3).Select(i => new { name = "x" + i, type = "numeric" }).ToArray(),
        ["inputs"] = new { layout = "tensor", name = "input" },
        ["outputs"] = new Dictionary<string, string?> { ["label"] = labelOutput, ["probability"] = probabilityOutput }
            .Where(o => o.Value is not null).ToDictionary(o => o.Key, o => o.Value),
        ["class_labels"] = ReferenceModels.Animals,
    });

    /// <summary>
    /// <see cref="ReferenceModels.PerFeatureRegression"/>: per_feature layout, rooms (INT64, at least 0), area, district
    /// one of <see cref="ReferenceModels.Districts"/>, the value in "variable" (declared as "value").
    /// </summary>
    public static string PerFeatureRegression() => Json(new Dictionary<string, object?>
    {
        ["task"] = "regression",
        ["features"] = new object[]
        {
            new { name = "rooms", type = "numeric", min = 0 },
            new { name = "area", type = "numeric" },
            new { name = "district", type = "categorical", values = ReferenceModels.Districts },
        },
        ["inputs"] = new { layout = "per_feature" },
        ["outputs"] = new { value = "variable" },
    });

    private static string Json(Dictionary<string, object?> manifest) =>
        JsonSerializer.Serialize(manifest.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value), Options);
}
