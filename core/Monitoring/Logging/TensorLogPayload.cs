using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// An OIP request's inputs and first output, copied out of ONNX Runtime memory on the request path. Row-aligned when
/// every input is a rank-1 or rank-2 tensor with the same first dimension N (and, for the output, its first
/// dimension is N too): then values are copied per row. Otherwise each tensor is summarised in one pass and the
/// request is one record.
/// </summary>
internal sealed class TensorLogPayload : InferenceLogPayload
{
    /// <summary>More input elements than this are summarised rather than copied, to keep the request path cheap.</summary>
    public const int MaxCopiedElements = 1_000_000;

    /// <summary>An output with more values per row than this is summarised.</summary>
    public const int MaxOutputWidth = 256;

    private TensorLogPayload(int rows, TensorColumns[]? inputs, TensorSummary[]? inputSummaries, TensorColumns? output, TensorSummary? outputSummary)
    {
        Rows = rows;
        Inputs = inputs;
        InputSummaries = inputSummaries;
        Output = output;
        OutputSummary = outputSummary;
    }

    public int Rows { get; }

    /// <summary>The inputs per row, in request order; null when summarised.</summary>
    public TensorColumns[]? Inputs { get; }

    public TensorSummary[]? InputSummaries { get; }

    /// <summary>The first output per row; null when summarised or when there is none.</summary>
    public TensorColumns? Output { get; }

    public TensorSummary? OutputSummary { get; }

    public override int RowCount => Rows;

    public static TensorLogPayload Capture(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputValues,
        IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputValues)
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

        if (firstOutput is null)
        {
            return new TensorLogPayload(rows, inputs, null, null, null);
        }

        OrtTensorTypeAndShapeInfo? outputInfo = firstOutput.IsTensor ? firstOutput.GetTensorTypeAndShape() : null;
        return outputInfo is { } outputShape && IsRowAligned(outputShape, rows, MaxOutputWidth)
            ? new TensorLogPayload(rows, inputs, null, Copy(outputNames[0], firstOutput, outputShape, rows), null)
            : new TensorLogPayload(rows, inputs, null, null, TensorValues.Summarize(outputNames[0], firstOutput));
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
