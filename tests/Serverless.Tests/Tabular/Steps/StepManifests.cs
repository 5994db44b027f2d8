using Serverless.TestModels;

namespace Serverless.Tests.Tabular.Steps;

/// <summary>Manifests with pre and post steps for <see cref="ReferenceModels.PerFeatureBinaryClassifier"/> (p = σ(0.04·age + 0.9·city code − 2.5)).</summary>
internal static class StepManifests
{
    public const string Features = """
        "task": "binary",
        "features": [{"name": "age", "type": "numeric", "min": 0, "max": 120}, {"name": "city", "type": "categorical", "values": ["Oslo", "Bergen", "Trondheim"]}],
        "inputs": {"layout": "per_feature"},
        "outputs": {"probability": "probabilities"},
        "class_labels": ["no", "yes"]
        """;

    /// <summary>Default city Oslo, age clipped to [5, 100]; Bergen's threshold 0.7; seniors likely to say yes go to review; yes/no renamed.</summary>
    public const string Business = "{" + Features + """
        ,
        "pre": [
            {"kind": "default", "feature": "city", "value": "Oslo"},
            {"kind": "clip", "name": "adult_ages", "feature": "age", "min": 5, "max": 100}
        ],
        "post": [
            {"kind": "threshold", "segment": "city", "thresholds": {"Bergen": 0.7, "Trondheim": 0.4}, "default": 0.5},
            {"kind": "rule", "name": "senior_review", "when": "age > 60 and probability > 0.3", "label": "review", "annotation": "refer to review"},
            {"kind": "label_map", "map": {"yes": "churn", "no": "stay"}}
        ]
        }
        """;

    public static string With(string pre, string post) => "{" + Features + $$"""
        , "pre": [{{pre}}], "post": [{{post}}]}
        """.Replace("\"pre\": [], ", "", StringComparison.Ordinal).Replace(", \"post\": []", "", StringComparison.Ordinal);

    public static double Probability(double age, int city) => 1 / (1 + Math.Exp(-((0.04 * age) + (0.9 * city) - 2.5)));
}
