using System.Globalization;
using System.Text.Json;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// What a logged row predicted, in the form drift and metrics need: the positive class's probability (binary), the
/// predicted label (multiclass) or the value (regression). Pure; thread-safe.
/// </summary>
public static class PredictionValues
{
    /// <summary>The positive class's label of a binary manifest: class_labels[1], else "1".</summary>
    public static string PositiveLabel(ModelManifest manifest) => manifest.ClassLabels is { Count: 2 } labels ? labels[1] : "1";

    public static double? PositiveProbability(InferenceLogRecord row, ModelManifest manifest)
    {
        if (row.Outputs?.GetValueOrDefault("scores") is { ValueKind: JsonValueKind.Array } scores && scores.GetArrayLength() == 2
            && scores[1].ValueKind == JsonValueKind.Number)
        {
            return scores[1].GetDouble();
        }

        return row.Probability is { } probability ? (row.Label == PositiveLabel(manifest) ? probability : 1 - probability) : null;
    }

    /// <summary>The number drift compares for binary and regression models; null for multiclass (use the label).</summary>
    public static double? Number(InferenceLogRecord row, ModelManifest manifest) => manifest.Task switch
    {
        TabularTask.Binary => PositiveProbability(row, manifest),
        TabularTask.Regression => row.Value,
        _ => null,
    };

    /// <summary>
    /// Without a manifest, the number a row predicted: the logged value (an OIP first output's first number), or for an
    /// output too large to log per row the request's output mean; null when neither was logged.
    /// </summary>
    public static double? Logged(InferenceLogRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Value ?? (row.Outputs?.GetValueOrDefault("mean") is { ValueKind: JsonValueKind.Number } mean && mean.TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : null);
    }

    /// <summary><see cref="Logged(InferenceLogRecord)"/> of row <paramref name="row"/> of a decoded block.</summary>
    public static double? Logged(InferenceLogColumns block, int row)
    {
        ArgumentNullException.ThrowIfNull(block);
        return Logged(block, row, block.Outputs.Find("mean"));
    }

    /// <summary><see cref="Logged(InferenceLogColumns, int)"/> given the block's <c>mean</c> output column (found once per block).</summary>
    internal static double? Logged(InferenceLogColumns block, int row, LoggedColumn? mean)
    {
        if (block.Values[row] is var value && !double.IsNaN(value))
        {
            return value;
        }

        return mean is not null && mean.Kind(row) == LoggedKind.Number && double.IsFinite(mean.Number(row)) ? mean.Number(row) : null;
    }

    /// <summary><see cref="PositiveProbability(InferenceLogRecord, ModelManifest)"/> of row <paramref name="row"/> of a decoded block.</summary>
    public static double? PositiveProbability(InferenceLogColumns block, int row, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(manifest);
        return PositiveProbability(block, row, manifest, block.Outputs.Find("scores"));
    }

    /// <summary><see cref="PositiveProbability(InferenceLogColumns, int, ModelManifest)"/> given the block's <c>scores</c> output column.</summary>
    internal static double? PositiveProbability(InferenceLogColumns block, int row, ModelManifest manifest, LoggedColumn? scores)
    {
        switch (scores?.Kind(row))
        {
            case LoggedKind.NumberArray when scores.Array(row) is { Length: 2 } pair:
                return pair[1];
            case LoggedKind.Json:
                return PositiveProbability(block.Record(row), manifest);
        }

        var probability = block.Probabilities[row];
        return double.IsNaN(probability) ? null : block.Labels[row] == PositiveLabel(manifest) ? probability : 1 - probability;
    }

    /// <summary><see cref="Number(InferenceLogRecord, ModelManifest)"/> of row <paramref name="row"/> of a decoded block, given its <c>scores</c> output column.</summary>
    internal static double? Number(InferenceLogColumns block, int row, ModelManifest manifest, LoggedColumn? scores) => manifest.Task switch
    {
        TabularTask.Binary => PositiveProbability(block, row, manifest, scores),
        TabularTask.Regression => double.IsNaN(block.Values[row]) ? null : block.Values[row],
        _ => null,
    };

    /// <summary>An outcome as text parsed for regression; null when it is not a number.</summary>
    public static double? Actual(string actual) =>
        double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
}
