using System.Text.Json;
using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// Writes one record as a JSON object (see <see cref="InferenceLogBlockFormat"/> for the fields), which
/// <see cref="Columns.ColumnsBuilder"/> reads into a block's columns (records API rows skip it: <see cref="Columns.TabularRows"/>). The
/// features object and the outputs object are each kept under <see cref="MaxJsonBytes"/> UTF-8 bytes: entries that
/// would pass it are left out, the JSON stays valid, and <c>tr</c> is true. Absent values are left out. Runs on the
/// writer's thread only (not thread-safe; it keeps the last tensor request's feature names).
/// </summary>
internal sealed partial class InferenceLogRecordJson
{
    public const int MaxJsonBytes = 32_000;
    public const int MaxErrorLength = 8_000;
    public const int MaxLabelLength = 1_000;

    private const int NumberBound = 32;

    private Utf8JsonWriter _json = null!;

    /// <summary>Writes record <paramref name="row"/> of <paramref name="capture"/> (-1 for a failed request's one record).</summary>
    public void Write(Utf8JsonWriter json, InferenceLogCapture capture, int row)
    {
        _json = json;
        json.WriteStartObject();
        json.WriteString(InferenceLogBlockFormat.RequestId, capture.RequestId);
        json.WriteNumber(InferenceLogBlockFormat.Row, row);
        json.WriteString(InferenceLogBlockFormat.Version, capture.Version ?? "");
        json.WriteNumber(InferenceLogBlockFormat.Ticks, capture.TimestampUtc.UtcTicks);
        json.WriteNumber(InferenceLogBlockFormat.Latency, Math.Round(capture.LatencyMs, 4));
        json.WriteString(InferenceLogBlockFormat.Status, capture.Status);
        json.WriteString(InferenceLogBlockFormat.Source, capture.Source);
        var truncated = false;
        if (capture.Status == InferenceLogStatus.Error)
        {
            json.WriteString(InferenceLogBlockFormat.Error, Truncate(capture.Error ?? "", MaxErrorLength));
            if (capture.StatusCode > 0)
            {
                json.WriteNumber(InferenceLogBlockFormat.StatusCode, capture.StatusCode);
            }
        }
        else
        {
            switch (capture.Payload)
            {
                case TabularLogPayload tabular:
                    truncated = WriteTabular(tabular, row);
                    break;
                case TensorLogPayload tensors:
                    truncated = WriteTensors(tensors, row);
                    break;
            }
        }

        if (truncated)
        {
            json.WriteBoolean(InferenceLogBlockFormat.Truncated, true);
        }

        if (capture.IsMirror)
        {
            json.WriteBoolean(InferenceLogBlockFormat.Mirror, true);
        }

        json.WriteEndObject();
    }

    private bool WriteTabular(TabularLogPayload payload, int row)
    {
        var prediction = payload.Predictions[row];
        WritePrediction(prediction);

        var features = payload.Schema.Features;
        var truncated = false;
        BeginSection(InferenceLogBlockFormat.Features);
        for (var f = 0; f < features.Count && !truncated; f++)
        {
            var name = features[f].Name;
            var index = (row * features.Count) + f;
            if (features[f].Type == FeatureType.Numeric)
            {
                truncated = !TryWriteNumber(name, payload.Numbers[index], nanIsMissing: true);
            }
            else
            {
                var category = payload.Categories![index];
                truncated = !TryWriteString(name, string.IsNullOrEmpty(category) ? null : category);
            }
        }

        _json.WriteEndObject();
        return !TryWriteScores(prediction) || truncated;
    }

    /// <summary>The label, the probability of that label and the regression value, as the records API answered them.</summary>
    private void WritePrediction(TabularPrediction prediction)
    {
        if (prediction.Label is { } label)
        {
            _json.WriteString(InferenceLogBlockFormat.Label, Truncate(label, MaxLabelLength));
        }

        WriteIfFinite(InferenceLogBlockFormat.Probability, prediction.Probability);
        WriteIfFinite(InferenceLogBlockFormat.Value, prediction.Value);
    }

    /// <summary>Outputs <c>{"scores": [...]}</c> when the prediction has class probabilities; false when they would not fit.</summary>
    private bool TryWriteScores(TabularPrediction prediction)
    {
        if (prediction.Scores is not { Count: > 0 } scores)
        {
            return true;
        }

        if ((scores.Count * NumberBound) + 16 > MaxJsonBytes)
        {
            return false;
        }

        BeginSection(InferenceLogBlockFormat.Outputs);
        _json.WriteStartArray("scores");
        foreach (var score in scores)
        {
            WriteNumberValue(score);
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        return true;
    }
}
