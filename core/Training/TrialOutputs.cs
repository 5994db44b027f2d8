using System.Text.Json;

namespace Serverless.Core.Training;

/// <summary>
/// The trial contract's outputs under <see cref="TrialSpec.OutputUri"/>: <c>model.onnx</c> (taking raw features,
/// featurization inside the graph), <c>manifest.json</c> (a tabular manifest, see the records API) and
/// <c>metrics.json</c> (<see cref="TrialMetrics"/>). A trial succeeded when all three exist.
/// </summary>
public static class TrialOutputs
{
    public const string Model = "model.onnx";
    public const string Manifest = "manifest.json";
    public const string Metrics = "metrics.json";
    public const string Spec = "spec.json";

    /// <summary>
    /// Optional: the built-in trainer's fitted ML.NET pipeline (<c>MLContext.Model.Save</c>), which a later trial can continue
    /// from (<see cref="TrialSpec.WarmStart"/>).
    /// </summary>
    public const string MlnetModel = "model.zip";

    /// <summary>
    /// Optional: the trainer's own predictions on the validation rows (CSV: <c>row</c> then the positive class's
    /// probability, the class probabilities, or the value), so serving can be checked against the training framework.
    /// </summary>
    public const string ValidationPredictions = "validation_predictions.csv";

    /// <summary>
    /// How a trainer that fails says why on stderr: one line starting with this, then the reason in words. A runner that
    /// sees the line reports the reason alone, without the exit code and the rest of the output.
    /// </summary>
    public const string FailureLinePrefix = "trial failed: ";

    /// <summary>Joins a folder URI and a file name with exactly one slash.</summary>
    public static string Combine(string folderUri, string name) => folderUri.TrimEnd('/') + "/" + name;
}

/// <summary>
/// <c>metrics.json</c>: every metric the trainer computed on the validation rows (names as in <see cref="MetricNames"/>,
/// lower case), row counts, the training time in seconds and, when the spec asked for one, the warm start's outcome. Immutable.
/// </summary>
public sealed record TrialMetrics
{
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    public long TrainRows { get; init; }

    public long ValidationRows { get; init; }

    public double TrainSeconds { get; init; }

    /// <summary>Whether the trainer continued from <see cref="TrialSpec.WarmStart"/>; null when the spec asked for no warm start.</summary>
    public bool? WarmStart { get; init; }

    /// <summary>What the warm start did, or why the trial trained from scratch instead; null when the spec asked for none.</summary>
    public string? WarmStartNote { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, TrialSpec.Json);

    public static TrialMetrics FromJson(string json) =>
        JsonSerializer.Deserialize<TrialMetrics>(json, TrialSpec.Json) ?? throw new JsonException("metrics.json is null.");
}
