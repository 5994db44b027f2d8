using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// An OIP request's inputs and first output, copied out of ONNX Runtime memory on the request path. Row-aligned when
/// every input is a rank-1 or rank-2 tensor with the same first dimension N (and, for the output, its first
/// dimension is N too): then values are copied per row. Otherwise each tensor is summarised in one pass and the
/// request is one record. With the version's bound manifest and row-aligned inputs in its layout (tensor: the one
/// input [N, F] the manifest names; per_feature: one [N] or [N, 1] input per feature), the payload also carries the
/// manifest (which names the features) and the predictions read from the outputs as the records API reads them.
/// </summary>
internal sealed class TensorLogPayload : InferenceLogPayload
{
    /// <summary>More input elements than this are summarised rather than copied, to keep the request path cheap.</summary>
    public const int MaxCopiedElements = 1_000_000;

    /// <summary>An output with more values per row than this is summarised.</summary>
    public const int MaxOutputWidth = 256;

    private TensorLogPayload(int rows, TensorColumns[]? inputs, TensorSummary[]? inputSummaries, TensorColumns? output, TensorSummary? outputSummary,
        ModelManifest? manifest = null, TabularPrediction[]? predictions = null)
    {
        Rows = rows;
        Inputs = inputs;
        InputSummaries = inputSummaries;
        Output = output;
        OutputSummary = outputSummary;
        Manifest = manifest;
        Predictions = predictions;
    }

    public int Rows { get; }

    /// <summary>The inputs per row, in request order; null when summarised.</summary>
    public TensorColumns[]? Inputs { get; }

    public TensorSummary[]? InputSummaries { get; }

    /// <summary>The first output per row; null when summarised or when there is none.</summary>
    public TensorColumns? Output { get; }

    public TensorSummary? OutputSummary { get; }

    /// <summary>The version's manifest when the inputs are in its layout: the features are logged under its names.</summary>
    public ModelManifest? Manifest { get; }

    /// <summary>One prediction per row, read as the records API reads them; null without a manifest or when the outputs lack what it reads.</summary>
    public TabularPrediction[]? Predictions { get; }

    public override int RowCount => Rows;

    public static InferenceLogPayload Capture(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputValues,
        IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputValues, TabularModel? tabular = null)
    {
        // Each shape query is a native call that allocates; ask once per value.
        var shapes = new OrtTensorTypeAndShapeInfo?[inputValues.Count];
        for (var i = 0; i < shapes.Length; i++)
        {
            shapes[i] = inputValues[i].IsTensor ? inputValues[i].GetTensorTypeAndShape() : null;
        }

        var rows = RowsOf(shapes);
        OrtValue? firstOutput = null;
        if (outputNames.Count > 0)
        {
            foreach (var output in outputValues)
            {
                firstOutput = output;
                break;
            }
        }

        if (rows <= 0)
        {
            var summaries = new TensorSummary[inputValues.Count];
            for (var i = 0; i < summaries.Length; i++)
            {
                summaries[i] = TensorValues.Summarize(inputNames[i], inputValues[i]);
            }

            return new TensorLogPayload(1, null, summaries, null, firstOutput is null ? null : TensorValues.Summarize(outputNames[0], firstOutput));
        }

        var inputs = new TensorColumns[inputValues.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Copy(inputNames[i], inputValues[i], shapes[i]!.Value, rows);
        }

        if (tabular is not null && FitsLayout(tabular, inputs))
        {
            var predictions = TryReadPredictions(tabular, outputNames, outputValues, rows);
            if (predictions is not null && tabular.Manifest.Inputs.Layout == InputLayout.Tensor && AllNumeric(tabular.Schema))
            {
                // The [N, F] matrix is already the records API's row-major layout: logged as its rows are (straight into the
                // block's columns, no JSON in between), which gives the same record.
                return new TabularLogPayload(tabular.Schema, rows, inputs[0].Numbers!, predictions);
            }

            return new TensorLogPayload(rows, inputs, null, null, null, tabular.Manifest, predictions);
        }

        if (firstOutput is null)
        {
            return new TensorLogPayload(rows, inputs, null, null, null);
        }

        OrtTensorTypeAndShapeInfo? outputInfo = firstOutput.IsTensor ? firstOutput.GetTensorTypeAndShape() : null;
        return outputInfo is { } outputShape && IsRowAligned(outputShape, rows, MaxOutputWidth)
            ? new TensorLogPayload(rows, inputs, null, Copy(outputNames[0], firstOutput, outputShape, rows), null)
            : new TensorLogPayload(rows, inputs, null, null, TensorValues.Summarize(outputNames[0], firstOutput));
    }

    /// <summary>Tensor layout: the one input the manifest names, F wide and numeric; per_feature: one single-column input per feature.</summary>
    private static bool FitsLayout(TabularModel tabular, TensorColumns[] inputs)
    {
        var manifest = tabular.Manifest;
        if (manifest.Inputs.Layout == InputLayout.Tensor)
        {
            return inputs.Length == 1 && inputs[0].Numbers is not null && inputs[0].Width == manifest.Features.Count &&
                string.Equals(inputs[0].Name, manifest.Inputs.Name, StringComparison.Ordinal);
        }

        if (inputs.Length != manifest.Features.Count)
        {
            return false;
        }

        foreach (var input in inputs)
        {
            if (input.Width != 1 || tabular.Schema.IndexOf(input.Name) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllNumeric(FeatureSchema schema)
    {
        for (var f = 0; f < schema.Count; f++)
        {
            if (schema.Features[f].Type != FeatureType.Numeric)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The rows' predictions when the run returned every output the manifest reads (a client may ask for fewer); null otherwise.</summary>
    private static TabularPrediction[]? TryReadPredictions(TabularModel tabular, IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputs, int rows)
    {
        foreach (var required in tabular.OutputNames)
        {
            if (!outputNames.Contains(required))
            {
                return null;
            }
        }

        try
        {
            return tabular.ReadPredictions(outputNames, outputs, rows);
        }
        catch (ServingException)
        {
            return null; // The outputs do not have the shape the manifest implies: the answer went out, the log keeps the inputs.
        }
    }

    /// <summary>N when every input is a tensor [N] or [N, F] with N ≥ 1, of a loggable type and small enough to copy; else 0.</summary>
    private static int RowsOf(OrtTensorTypeAndShapeInfo?[] inputs)
    {
        if (inputs.Length == 0)
        {
            return 0;
        }

        long rows = -1;
        long total = 0;
        foreach (var shape in inputs)
        {
            if (shape is not { } info || info.Shape.Length is not (1 or 2) || info.Shape[0] < 1 || !TensorValues.IsSupported(info.ElementDataType) ||
                (rows >= 0 && info.Shape[0] != rows))
            {
                return 0;
            }

            rows = info.Shape[0];
            total += info.ElementCount;
            if (total > MaxCopiedElements)
            {
                return 0;
            }
        }

        return (int)rows;
    }

    private static bool IsRowAligned(OrtTensorTypeAndShapeInfo info, int rows, int maxWidth) =>
        info.Shape.Length is 1 or 2 && info.Shape[0] == rows && TensorValues.IsSupported(info.ElementDataType) &&
        info.ElementCount <= (long)rows * maxWidth && info.ElementCount <= MaxCopiedElements;

    private static TensorColumns Copy(string name, OrtValue value, OrtTensorTypeAndShapeInfo info, int rows)
    {
        var count = (int)info.ElementCount;
        var width = info.Shape.Length == 1 ? 1 : count / rows;
        var datatype = TensorValues.OipDatatypeName(info.ElementDataType);
        return info.ElementDataType == TensorElementType.String
            ? new TensorColumns(name, datatype, width, null, TensorValues.CopyStrings(value, count))
            : new TensorColumns(name, datatype, width, TensorValues.CopyNumbers(value, info.ElementDataType, count), null);
    }
}
