using System.Globalization;
using System.Text;
using Serverless.Core.Models;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// What a trial produced: the ONNX model (featurization inside), its manifest (validated against it), the
/// validation metrics, ML.NET's own predictions on the validation rows (to compare with the served model) and the fitted
/// ML.NET pipeline as saved (<see cref="TrialOutputs.MlnetModel"/>, which a later trial can warm-start from). Immutable.
/// </summary>
public sealed record TrainedTrial(byte[] OnnxModel, ModelManifest Manifest, TrialMetrics Metrics, ValidationPredictions ValidationPredictions, byte[] MlnetModel);

/// <summary>
/// ML.NET's predictions for each validation row, in file order. Binary: <see cref="Values"/> holds the positive
/// class's probability; multiclass: <see cref="ClassProbabilities"/> holds each row's probabilities in
/// <see cref="ClassLabels"/> order; regression: <see cref="Values"/> holds the predicted value. Immutable.
/// </summary>
public sealed record ValidationPredictions(
    string Task,
    IReadOnlyList<double>? Values,
    IReadOnlyList<IReadOnlyList<double>>? ClassProbabilities,
    IReadOnlyList<string>? ClassLabels)
{
    /// <summary>
    /// <see cref="TrialOutputs.ValidationPredictions"/>: a header, then one line per validation row: <c>row</c> (the
    /// 1-based data row of the validation file) and the positive class's probability (<c>row,probability</c>),
    /// each class's probability (<c>row,&lt;class labels&gt;</c>) or the value (<c>row,value</c>), invariant culture.
    /// </summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("row,");
        csv.Append(Task switch
        {
            Algorithms.Binary => "probability",
            Algorithms.Multiclass => string.Join(",", ClassLabels!.Select(Quote)),
            _ => "value",
        }).Append('\n');
        var rows = ClassProbabilities?.Count ?? Values!.Count;
        for (var r = 0; r < rows; r++)
        {
            csv.Append((r + 1).ToString(CultureInfo.InvariantCulture));
            foreach (var value in ClassProbabilities is not null ? ClassProbabilities[r] : [Values![r]])
            {
                csv.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }

        return csv.ToString();
    }

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
