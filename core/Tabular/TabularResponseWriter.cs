using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Serverless.Core.Protocol;

namespace Serverless.Core.Tabular;

/// <summary>
/// Writes the records API response <c>{"model_name", "model_version", "predictions": [{"label", "probability",
/// "scores"} | {"value"}]}</c>, each prediction with <c>model_label</c>, <c>annotations</c> and <c>rules</c> when the
/// manifest's post steps changed the label, annotated the row or a rule held. A number that came from an FP32 output is written at FP32 precision (0.7, not
/// 0.699999988079071), as the OIP infer response writes it; non-finite numbers become "NaN", "Infinity",
/// "-Infinity". Stateless; thread-safe.
/// </summary>
public static class TabularResponseWriter
{
    private static readonly JsonEncodedText ModelName = JsonEncodedText.Encode("model_name");
    private static readonly JsonEncodedText ModelVersion = JsonEncodedText.Encode("model_version");
    private static readonly JsonEncodedText Predictions = JsonEncodedText.Encode("predictions");
    private static readonly JsonEncodedText Label = JsonEncodedText.Encode("label");
    private static readonly JsonEncodedText Probability = JsonEncodedText.Encode("probability");
    private static readonly JsonEncodedText Scores = JsonEncodedText.Encode("scores");
    private static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText ModelLabel = JsonEncodedText.Encode("model_label");
    private static readonly JsonEncodedText Annotations = JsonEncodedText.Encode("annotations");
    private static readonly JsonEncodedText Rules = JsonEncodedText.Encode("rules");

    /// <param name="writeMore">Writes further properties after <c>predictions</c> (a feature status report, an inference graph's steps); null: none.</param>
    public static void Write(IBufferWriter<byte> output, string modelName, string modelVersion, IReadOnlyList<TabularPrediction> predictions,
        Action<Utf8JsonWriter>? writeMore = null)
    {
        var writer = JsonWriterCache.Rent(output);
        writer.WriteStartObject();
        writer.WriteString(ModelName, modelName);
        writer.WriteString(ModelVersion, modelVersion);
        writer.WriteStartArray(Predictions);
        foreach (var prediction in predictions)
        {
            writer.WriteStartObject();
            if (prediction.Label is not null)
            {
                writer.WritePropertyName(Label);
                WriteLabel(writer, prediction);
            }

            if (prediction.Probability is { } probability)
            {
                writer.WritePropertyName(Probability);
                WriteNumber(writer, probability);
            }

            if (prediction.Scores is { } scores)
            {
                writer.WriteStartArray(Scores);
                foreach (var score in scores)
                {
                    WriteNumber(writer, score);
                }

                writer.WriteEndArray();
            }

            if (prediction.Value is { } value)
            {
                writer.WritePropertyName(Value);
                WriteNumber(writer, value);
            }

            WritePostSteps(writer, prediction);

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writeMore?.Invoke(writer);
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteLabel(Utf8JsonWriter writer, TabularPrediction prediction)
    {
        if (prediction.LabelIsNumber && long.TryParse(prediction.Label, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(prediction.Label);
        }
    }

    /// <summary>What the manifest's post steps did: the model's label when they changed it, their annotations, the rules that held.</summary>
    private static void WritePostSteps(Utf8JsonWriter writer, TabularPrediction prediction)
    {
        if (prediction.ModelPrediction is { Label: not null } model && (model.Label != prediction.Label || model.LabelIsNumber != prediction.LabelIsNumber))
        {
            writer.WritePropertyName(ModelLabel);
            WriteLabel(writer, model);
        }

        WriteTexts(writer, Annotations, prediction.Annotations);
        WriteTexts(writer, Rules, prediction.Rules);
    }

    private static void WriteTexts(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<string>? texts)
    {
        if (texts is { Count: > 0 })
        {
            writer.WriteStartArray(name);
            foreach (var text in texts)
            {
                writer.WriteStringValue(text);
            }

            writer.WriteEndArray();
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
        else if ((double)(float)value == value)
        {
            // Exactly an FP32 value: its shortest FP32 text reads back to the same number.
            writer.WriteNumberValue((float)value);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }
}
