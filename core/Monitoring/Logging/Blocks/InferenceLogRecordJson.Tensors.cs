using Serverless.Core.Models;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// The tensor APIs' records: the features as the manifest lays them out, else one entry per input cell (names formatted
/// once per input layout), else each input's summary; the output tensor's cells or its summary.
/// </summary>
internal sealed partial class InferenceLogRecordJson
{
    private TensorColumns[]? _namedInputs;
    private string[]? _names;

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
}
