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
internal sealed class InferenceLogRecordJson
{
    public const int MaxJsonBytes = 32_000;
    public const int MaxErrorLength = 8_000;
    public const int MaxLabelLength = 1_000;

    private const int NumberBound = 32;

    private Utf8JsonWriter _json = null!;
    private long _sectionStart;
    private TensorColumns[]? _namedInputs;
    private string[]? _names;

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

    private bool WriteTensors(TensorLogPayload payload, int row)
    {
        var truncated = false;
        var prediction = payload.Predictions?[row];
        if (prediction is not null)
        {
            WritePrediction(prediction);
        }
        else if (payload.Output is { } output && output.Width > 0)
        {
            var first = row * output.Width;
            if (output.Numbers is { } numbers)
            {
                WriteIfFinite(InferenceLogBlockFormat.Value, numbers[first]);
            }
            else
            {
                _json.WriteString(InferenceLogBlockFormat.Label, Truncate(output.Strings![first], MaxLabelLength));
            }
        }

        BeginSection(InferenceLogBlockFormat.Features);
        if (payload is { Inputs: { } named, Manifest: { } manifest })
        {
            truncated = !TryWriteManifestFeatures(named, manifest, row);
        }
        else if (payload.Inputs is { } columns)
        {
            var names = FeatureNames(columns);
            var n = 0;
            foreach (var column in columns)
            {
                for (var j = 0; j < column.Width && !truncated; j++, n++)
                {
                    truncated = !TryWriteCell(names[n], column, (row * column.Width) + j);
                }
            }
        }
        else
        {
            foreach (var summary in payload.InputSummaries ?? [])
            {
                truncated = truncated || !TryWriteSummary(summary, prefix: summary.Name + ".");
            }
        }

        _json.WriteEndObject();
        if (prediction is not null)
        {
            truncated = !TryWriteScores(prediction) || truncated;
        }
        else if (payload.Output is { } tensor)
        {
            BeginSection(InferenceLogBlockFormat.Outputs);
            var start = row * tensor.Width;
            if (tensor.Width == 1)
            {
                WriteCellValue(tensor, start, tensor.Name);
            }
            else
            {
                _json.WriteStartArray(tensor.Name);
                for (var j = 0; j < tensor.Width; j++)
                {
                    WriteCellValue(tensor, start + j, null);
                }

                _json.WriteEndArray();
            }

            _json.WriteEndObject();
        }
        else if (payload.OutputSummary is { } outputSummary)
        {
            BeginSection(InferenceLogBlockFormat.Outputs);
            _json.WriteString("name", outputSummary.Name);
            truncated = !TryWriteSummary(outputSummary, prefix: "") || truncated;
            _json.WriteEndObject();
        }

        return truncated;
    }

    /// <summary>
    /// Inputs in the manifest's layout, as the records API logs its rows: tensor layout, column j is feature j;
    /// per_feature, each input is the feature of its name. NaN and empty categories are missing (null).
    /// </summary>
    private bool TryWriteManifestFeatures(TensorColumns[] inputs, ModelManifest manifest, int row)
    {
        if (manifest.Inputs.Layout == InputLayout.Tensor)
        {
            var matrix = inputs[0];
            for (var j = 0; j < matrix.Width; j++)
            {
                if (!TryWriteNumber(manifest.Features[j].Name, matrix.Numbers![(row * matrix.Width) + j], nanIsMissing: true))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var input in inputs)
        {
            var written = input.Numbers is { } numbers
                ? TryWriteNumber(input.Name, numbers[row], nanIsMissing: true)
                : TryWriteString(input.Name, string.IsNullOrEmpty(input.Strings![row]) ? null : input.Strings[row]);
            if (!written)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One input: <c>x0..x{F-1}</c>; several: <c>{input}</c> for a single column, <c>{input}.x{j}</c> otherwise.</summary>
    private string[] FeatureNames(TensorColumns[] inputs)
    {
        if (_namedInputs is { } named && SameLayout(named, inputs))
        {
            return _names!;
        }

        var names = new List<string>();
        foreach (var input in inputs)
        {
            for (var j = 0; j < input.Width; j++)
            {
                names.Add(inputs.Length == 1 ? $"x{j}" : input.Width == 1 ? input.Name : $"{input.Name}.x{j}");
            }
        }

        _namedInputs = inputs;
        _names = names.ToArray();
        return _names;
    }

    /// <summary>Same input names and widths: consecutive requests to one model reuse the names instead of formatting them again.</summary>
    private static bool SameLayout(TensorColumns[] a, TensorColumns[] b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i].Width != b[i].Width || !string.Equals(a[i].Name, b[i].Name, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void BeginSection(JsonEncodedText name)
    {
        _json.WriteStartObject(name);
        _sectionStart = _json.BytesCommitted + _json.BytesPending;
    }

    private long SectionBytes => _json.BytesCommitted + _json.BytesPending - _sectionStart;

    /// <summary>Whether an entry with this name and a value of at most <paramref name="valueBound"/> bytes surely fits (with the closing brace).</summary>
    private bool Fits(string name, int valueBound) => SectionBytes + (name.Length * 6) + 4 + valueBound + 2 <= MaxJsonBytes;

    private bool TryWriteNumber(string name, double value, bool nanIsMissing)
    {
        if (!Fits(name, NumberBound))
        {
            return false;
        }

        _json.WritePropertyName(name);
        if (nanIsMissing && double.IsNaN(value))
        {
            _json.WriteNullValue();
        }
        else
        {
            WriteNumberValue(value);
        }

        return true;
    }

    private bool TryWriteString(string name, string? value)
    {
        if (!Fits(name, value is null ? 4 : (value.Length * 6) + 2))
        {
            return false;
        }

        if (value is null)
        {
            _json.WriteNull(name);
        }
        else
        {
            _json.WriteString(name, value);
        }

        return true;
    }

    private bool TryWriteCell(string name, TensorColumns column, int index) =>
        column.Numbers is { } numbers ? TryWriteNumber(name, numbers[index], nanIsMissing: false) : TryWriteString(name, column.Strings![index]);

    private void WriteCellValue(TensorColumns column, int index, string? name)
    {
        if (name is not null)
        {
            _json.WritePropertyName(name);
        }

        if (column.Numbers is { } numbers)
        {
            WriteNumberValue(numbers[index]);
        }
        else
        {
            _json.WriteStringValue(column.Strings![index]);
        }
    }

    private bool TryWriteSummary(TensorSummary summary, string prefix)
    {
        var shape = "[" + string.Join(",", summary.Shape) + "]";
        return TryWriteString(prefix + "shape", shape) &&
               TryWriteString(prefix + "dtype", summary.Datatype) &&
               TryWriteNumber(prefix + "count", summary.Count, nanIsMissing: false) &&
               TryWriteNumber(prefix + "min", summary.Stats.Min ?? double.NaN, nanIsMissing: true) &&
               TryWriteNumber(prefix + "max", summary.Stats.Max ?? double.NaN, nanIsMissing: true) &&
               TryWriteNumber(prefix + "mean", summary.Stats.Mean ?? double.NaN, nanIsMissing: true) &&
               TryWriteNumber(prefix + "std", summary.Stats.StdDev ?? double.NaN, nanIsMissing: true) &&
               TryWriteNumber(prefix + "nan", summary.Stats.NaN, nanIsMissing: false) &&
               TryWriteNumber(prefix + "inf", summary.Stats.Infinite, nanIsMissing: false);
    }

    private void WriteIfFinite(JsonEncodedText name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            _json.WritePropertyName(name);
            WriteNumberValue(number);
        }
    }

    /// <summary>
    /// Finite numbers as JSON numbers, as the responses write them: a value that is exactly an FP32 value with its
    /// shortest FP32 text (so 0.1f logs as 0.1); NaN and infinities as strings, as OIP writes them.
    /// </summary>
    private void WriteNumberValue(double value)
    {
        if (double.IsFinite(value))
        {
            if ((double)(float)value == value)
            {
                _json.WriteNumberValue((float)value);
            }
            else
            {
                _json.WriteNumberValue(value);
            }
        }
        else
        {
            _json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static string Truncate(string text, int maxLength) => text.Length <= maxLength ? text : text[..maxLength];
}
