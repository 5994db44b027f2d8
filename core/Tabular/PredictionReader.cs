using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Tabular;

/// <summary>
/// Turns a run's outputs into per-row predictions. Probabilities may be an [N, C] tensor, an [N] or [N, 1]
/// positive-class tensor (binary), or a sequence of maps (ZipMap, one map per row; its keys are matched to
/// class_labels by text, else by position). FP32 values are combined in FP32 (so 1 - p is what the model's
/// own precision gives). Stateless; thread-safe.
/// </summary>
internal static class PredictionReader
{
    private const int IndexNamesCached = 64;
    private static readonly string[]?[] IndexNamesByCount = new string[IndexNamesCached][];

    public static TabularPrediction[] ReadRegression(OrtValue output, string name, int rows)
    {
        var values = ReadColumn(output, name, rows, "a regression value");
        var predictions = new TabularPrediction[rows];
        for (var r = 0; r < rows; r++)
        {
            predictions[r] = new TabularPrediction { Value = values[r] };
        }

        return predictions;
    }

    public static TabularPrediction[] ReadClassification(ModelManifest manifest, OrtValue output, string name, int rows)
    {
        var classes = output.OnnxType == OnnxValueType.ONNX_TYPE_SEQUENCE
            ? ReadZipMap(manifest, output, name, rows)
            : ReadProbabilityTensor(manifest, output, name, rows);
        if (manifest.Task == TabularTask.Binary && classes.Names.Count != 2)
        {
            throw Mismatch(name, $"it has {classes.Names.Count} classes, but a binary task needs 2");
        }

        var threshold = manifest.EffectiveThreshold;
        var predictions = new TabularPrediction[rows];
        for (var r = 0; r < rows; r++)
        {
            var scores = classes.Scores[r];
            var chosen = manifest.Task == TabularTask.Binary
                ? (scores[1] >= threshold ? 1 : 0)
                : ArgMax(scores);
            predictions[r] = new TabularPrediction
            {
                Label = classes.Names[chosen],
                LabelIsNumber = classes.NamesAreNumbers,
                Probability = scores[chosen],
                Scores = scores,
                Classes = classes.Names,
            };
        }

        return predictions;
    }

    public static TabularPrediction[] ReadLabels(ModelManifest manifest, OrtValue output, string name, int rows)
    {
        var info = Tensor(output, name);
        CheckRows(name, info, rows, columnsAllowed: 1);
        var predictions = new TabularPrediction[rows];
        var labels = manifest.ClassLabels;
        switch (info.ElementDataType)
        {
            case TensorElementType.Int64:
                var classes = output.GetTensorDataAsSpan<long>();
                for (var r = 0; r < rows; r++)
                {
                    var value = classes[r];
                    predictions[r] = labels is not null && value >= 0 && value < labels.Count
                        ? new TabularPrediction { Label = labels[(int)value] }
                        : new TabularPrediction { Label = value.ToString(CultureInfo.InvariantCulture), LabelIsNumber = true };
                }

                break;
            case TensorElementType.String:
                for (var r = 0; r < rows; r++)
                {
                    predictions[r] = new TabularPrediction { Label = output.GetStringElement(r) };
                }

                break;
            default:
                throw Mismatch(name, $"it is {info.ElementDataType}, but a label output must be INT64 or strings");
        }

        return predictions;
    }

    private static ClassScores ReadProbabilityTensor(ModelManifest manifest, OrtValue output, string name, int rows)
    {
        var info = Tensor(output, name);
        var columns = CheckRows(name, info, rows, columnsAllowed: int.MaxValue);
        var isFloat = info.ElementDataType == TensorElementType.Float;
        if (!isFloat && info.ElementDataType != TensorElementType.Double)
        {
            throw Mismatch(name, $"it is {info.ElementDataType}, but probabilities must be FP32 or FP64");
        }

        var scores = new double[rows][];
        if (columns == 1)
        {
            if (manifest.Task != TabularTask.Binary)
            {
                throw Mismatch(name, "it has one probability per row, which only a binary task can read");
            }

            // The positive class's probability; the negative one is its complement in the model's precision.
            if (isFloat)
            {
                var positives = output.GetTensorDataAsSpan<float>();
                for (var r = 0; r < rows; r++)
                {
                    scores[r] = [1f - positives[r], positives[r]];
                }
            }
            else
            {
                var positives = output.GetTensorDataAsSpan<double>();
                for (var r = 0; r < rows; r++)
                {
                    scores[r] = [1d - positives[r], positives[r]];
                }
            }

            columns = 2;
        }
        else
        {
            var floats = isFloat ? output.GetTensorDataAsSpan<float>() : default;
            var doubles = isFloat ? default : output.GetTensorDataAsSpan<double>();
            for (var r = 0; r < rows; r++)
            {
                var row = new double[columns];
                for (var c = 0; c < columns; c++)
                {
                    row[c] = isFloat ? floats[(r * columns) + c] : doubles[(r * columns) + c];
                }

                scores[r] = row;
            }
        }

        var (names, numeric) = NameClasses(manifest, name, columns);
        return new ClassScores(names, numeric, scores);
    }

    private static ClassScores ReadZipMap(ModelManifest manifest, OrtValue output, string name, int rows)
    {
        var count = output.GetValueCount();
        if (count != rows)
        {
            throw Mismatch(name, $"it has {count} maps for {rows} rows");
        }

        var scores = new double[rows][];
        IReadOnlyList<string>? names = null;
        int[]? keyIndexOfClass = null;
        var namesAreNumbers = false;
        for (var r = 0; r < rows; r++)
        {
            using var map = output.GetValue(r, OrtAllocator.DefaultInstance);
            if (map.OnnxType != OnnxValueType.ONNX_TYPE_MAP)
            {
                throw Mismatch(name, "it is a sequence of something other than maps");
            }

            using var keys = map.GetValue(0, OrtAllocator.DefaultInstance);
            using var values = map.GetValue(1, OrtAllocator.DefaultInstance);
            var keyInfo = keys.GetTensorTypeAndShape();
            var valueInfo = values.GetTensorTypeAndShape();
            if (keyIndexOfClass is null)
            {
                var keyText = new string[keyInfo.ElementCount];
                for (var k = 0; k < keyText.Length; k++)
                {
                    keyText[k] = keyInfo.IsString
                        ? keys.GetStringElement(k)
                        : keys.GetTensorDataAsSpan<long>()[k].ToString(CultureInfo.InvariantCulture);
                }

                (names, keyIndexOfClass, namesAreNumbers) = MatchKeys(manifest, name, keyText, !keyInfo.IsString);
            }
            else if (keyInfo.ElementCount != keyIndexOfClass.Length)
            {
                throw Mismatch(name, $"row {r} has {keyInfo.ElementCount} classes, row 0 has {keyIndexOfClass.Length}");
            }

            var row = new double[keyIndexOfClass.Length];
            for (var c = 0; c < row.Length; c++)
            {
                var k = keyIndexOfClass[c];
                row[c] = valueInfo.ElementDataType switch
                {
                    TensorElementType.Float => values.GetTensorDataAsSpan<float>()[k],
                    TensorElementType.Double => values.GetTensorDataAsSpan<double>()[k],
                    _ => throw Mismatch(name, $"its map values are {valueInfo.ElementDataType}, not probabilities"),
                };
            }

            scores[r] = row;
        }

        return new ClassScores(names ?? [], namesAreNumbers, scores);
    }

    /// <summary>Class order and names for ZipMap keys: class_labels matched by text, else by position, else the keys.</summary>
    private static (IReadOnlyList<string> Names, int[] KeyIndexOfClass, bool Numeric) MatchKeys(ModelManifest manifest, string name, string[] keys, bool numericKeys)
    {
        var labels = manifest.ClassLabels;
        if (labels is null)
        {
            return (keys, Enumerable.Range(0, keys.Length).ToArray(), numericKeys);
        }

        var byText = labels.Select(l => Array.IndexOf(keys, l)).ToArray();
        if (byText.All(i => i >= 0) && labels.Count == keys.Length)
        {
            return (labels, byText, false);
        }

        if (labels.Count == keys.Length)
        {
            return (labels, Enumerable.Range(0, keys.Length).ToArray(), false);
        }

        throw Mismatch(name, $"its classes ({string.Join(", ", keys)}) do not match class_labels ({string.Join(", ", labels)})");
    }

    /// <summary>The manifest's class labels as they are (immutable, shared by every answer), else the class indexes as text.</summary>
    private static (IReadOnlyList<string> Names, bool Numeric) NameClasses(ModelManifest manifest, string name, int classes)
    {
        if (manifest.ClassLabels is { } labels)
        {
            return labels.Count == classes
                ? (labels, false)
                : throw Mismatch(name, $"it has {classes} classes, but class_labels has {labels.Count}");
        }

        return (IndexNames(classes), true);
    }

    /// <summary>"0", "1", … built once per class count up to <see cref="IndexNamesCached"/> (a benign race may build one twice).</summary>
    private static string[] IndexNames(int classes)
    {
        if (classes >= IndexNamesCached)
        {
            return BuildIndexNames(classes);
        }

        return IndexNamesByCount[classes] ??= BuildIndexNames(classes);

        static string[] BuildIndexNames(int count) =>
            Enumerable.Range(0, count).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    private static double[] ReadColumn(OrtValue output, string name, int rows, string what)
    {
        var info = Tensor(output, name);
        CheckRows(name, info, rows, columnsAllowed: 1);
        var values = new double[rows];
        switch (info.ElementDataType)
        {
            case TensorElementType.Float:
                var floats = output.GetTensorDataAsSpan<float>();
                for (var r = 0; r < rows; r++)
                {
                    values[r] = floats[r];
                }

                break;
            case TensorElementType.Double:
                output.GetTensorDataAsSpan<double>()[..rows].CopyTo(values);
                break;
            default:
                throw Mismatch(name, $"it is {info.ElementDataType}, but {what} must be FP32 or FP64");
        }

        return values;
    }

    private static OrtTensorTypeAndShapeInfo Tensor(OrtValue output, string name) =>
        output.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR
            ? output.GetTensorTypeAndShape()
            : throw Mismatch(name, $"it is a {output.OnnxType}, not a tensor");

    /// <summary>Checks [rows] or [rows, columns] and returns the column count (1 for [rows]).</summary>
    private static int CheckRows(string name, OrtTensorTypeAndShapeInfo info, int rows, int columnsAllowed)
    {
        var shape = info.Shape;
        var columns = shape.Length switch
        {
            1 => 1L,
            2 => shape[1],
            _ => throw Mismatch(name, $"it has shape [{string.Join(",", shape)}], not [N] or [N, C]"),
        };
        if (shape[0] != rows)
        {
            throw Mismatch(name, $"it has {shape[0]} rows for {rows} input rows");
        }

        if (columns > columnsAllowed || columns < 1)
        {
            throw Mismatch(name, $"it has shape [{string.Join(",", shape)}], but one value per row is expected");
        }

        return (int)columns;
    }

    private static int ArgMax(double[] scores)
    {
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }

        return best;
    }

    private static ServingException Mismatch(string name, string problem) =>
        ServingException.BadRequest($"Model output '{name}' does not match the manifest: {problem}.");

    private readonly record struct ClassScores(IReadOnlyList<string> Names, bool NamesAreNumbers, double[][] Scores);
}
