using Serverless.Core.Models;

namespace Serverless.Core.Monitoring.Logging.Blocks.Columns;

/// <summary>
/// Rows of the records API written straight into a block's columns, without the JSON that
/// <see cref="InferenceLogRecordJson"/> writes and <see cref="ColumnsBuilder.Add"/> reads back: the same values, kinds
/// and digits, at a fraction of the cost. Only rows that JSON would write whole take this path (a served tabular row
/// whose features surely fit <see cref="InferenceLogRecordJson.MaxJsonBytes"/> and whose scores are finite); the rest
/// go through JSON. Pure; thread-safe.
/// </summary>
internal static class TabularRows
{
    /// <summary>Whether row <paramref name="row"/> of the capture can be written directly, and a bound on the JSON it would take (for the block's size check).</summary>
    public static bool TryMeasure(InferenceLogCapture capture, int row, out int jsonBound)
    {
        jsonBound = 0;
        if (capture.Status != InferenceLogStatus.Ok || capture.Payload is not TabularLogPayload payload || row < 0 || row >= payload.Predictions.Count)
        {
            return false;
        }

        var prediction = payload.Predictions[row];
        var scores = prediction.Scores?.Count ?? 0;
        if ((scores * 32) + 16 > InferenceLogRecordJson.MaxJsonBytes)
        {
            return false;
        }

        foreach (var score in prediction.Scores ?? [])
        {
            if (!double.IsFinite(score))
            {
                return false;
            }
        }

        // The bound InferenceLogRecordJson checks entry by entry: when all of it fits, no entry is left out.
        var features = payload.Schema.Features;
        long bound = 2;
        for (var f = 0; f < features.Count; f++)
        {
            var category = features[f].Type == FeatureType.Numeric ? null : payload.Categories![(row * features.Count) + f];
            bound += (features[f].Name.Length * 6) + 4 + (features[f].Type == FeatureType.Numeric ? 32 : category is null ? 4 : (category.Length * 6) + 2);
        }

        if (bound + 2 > InferenceLogRecordJson.MaxJsonBytes)
        {
            return false;
        }

        jsonBound = (int)bound + (scores * 32) + (((capture.RequestId?.Length ?? 0) + (capture.Version?.Length ?? 0) + Math.Min(prediction.Label?.Length ?? 0,
            InferenceLogRecordJson.MaxLabelLength)) * 6) + 256;
        return true;
    }

    /// <summary>Appends row <paramref name="row"/> of the capture (one <see cref="TryMeasure"/> accepted).</summary>
    public static void Write(ColumnsBuilder columns, InferenceLogCapture capture, int row)
    {
        var payload = (TabularLogPayload)capture.Payload!;
        var prediction = payload.Predictions[row];
        var label = prediction.Label is { } text && text.Length > InferenceLogRecordJson.MaxLabelLength ? text[..InferenceLogRecordJson.MaxLabelLength] : prediction.Label;
        columns.AddFields(capture.RequestId ?? "", row, capture.Version ?? "", capture.TimestampUtc.UtcTicks, Math.Round(capture.LatencyMs, 4), capture.Status,
            capture.Source, label, prediction.Probability ?? double.NaN, prediction.Value ?? double.NaN, capture.IsMirror);

        var features = payload.Schema.Features;
        var section = columns.Features;
        section.BeginObject();
        for (var f = 0; f < features.Count; f++)
        {
            var name = features[f].Name;
            var index = (row * features.Count) + f;
            if (features[f].Type != FeatureType.Numeric)
            {
                var category = payload.Categories![index];
                section.AddText(name, string.IsNullOrEmpty(category) ? null : category);
            }
            else if (payload.Numbers[index] is var number && double.IsFinite(number))
            {
                section.AddNumber(name, number);
            }
            else
            {
                // As JSON writes them: NaN is missing, infinities their OIP strings.
                section.AddText(name, double.IsNaN(number) ? null : number > 0 ? "Infinity" : "-Infinity");
            }
        }

        section.EndObject();
        if (prediction.Scores is { Count: > 0 } scores)
        {
            columns.Outputs.BeginObject();
            columns.Outputs.AddNumbers("scores", scores);
            columns.Outputs.EndObject();
        }
        else
        {
            columns.Outputs.AddNone();
        }
    }
}
