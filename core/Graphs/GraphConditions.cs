using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;

namespace Serverless.Core.Graphs;

/// <summary>Evaluates a switch's compiled conditions on the tensor each reads (one element: numeric, BOOL or string).</summary>
internal static class GraphConditions
{
    public static bool Holds(PlanCondition condition, OrtValue?[] slots, string node)
    {
        var value = slots[condition.Slot]!;
        var info = value.GetTensorTypeAndShape();
        if (info.ElementCount != 1)
        {
            throw ServingException.BadRequest($"Switch '{node}' tests '{condition.Reference}', which holds {info.ElementCount} elements in this request: a condition reads one.");
        }

        if (info.ElementDataType == TensorElementType.String)
        {
            var text = value.GetStringElement(0);
            var found = condition.Strings.Contains(text, StringComparer.Ordinal);
            return condition.Op == GraphConditionOp.Ne ? !found : found;
        }

        var number = ReadNumber(value, info.ElementDataType);
        return condition.Op switch
        {
            GraphConditionOp.Eq or GraphConditionOp.In => condition.Numbers.Contains(number),
            GraphConditionOp.Ne => number != condition.Numbers[0],
            GraphConditionOp.Lt => number < condition.Numbers[0],
            GraphConditionOp.Le => number <= condition.Numbers[0],
            GraphConditionOp.Gt => number > condition.Numbers[0],
            _ => number >= condition.Numbers[0],
        };
    }

    /// <summary>The values the conditions read, for a refusal's message (each cut short).</summary>
    public static string Describe(PlanBranch[] branches, OrtValue?[] slots) => string.Join(", ", branches
        .Select(b => b.Condition!).DistinctBy(c => c.Slot)
        .Select(c => $"'{c.Reference}' = {Read(slots[c.Slot]!)}"));

    private static string Read(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementCount != 1)
        {
            return $"{info.ElementCount} elements";
        }

        return info.ElementDataType == TensorElementType.String
            ? Storage.DataText.Quote(value.GetStringElement(0))
            : ReadNumber(value, info.ElementDataType).ToString(CultureInfo.InvariantCulture);
    }

    private static double ReadNumber(OrtValue value, TensorElementType type) => type switch
    {
        TensorElementType.Float => value.GetTensorDataAsSpan<float>()[0],
        TensorElementType.Double => value.GetTensorDataAsSpan<double>()[0],
        TensorElementType.Int64 => value.GetTensorDataAsSpan<long>()[0],
        TensorElementType.Int32 => value.GetTensorDataAsSpan<int>()[0],
        TensorElementType.Int16 => value.GetTensorDataAsSpan<short>()[0],
        TensorElementType.Int8 => value.GetTensorDataAsSpan<sbyte>()[0],
        TensorElementType.UInt64 => value.GetTensorDataAsSpan<ulong>()[0],
        TensorElementType.UInt32 => value.GetTensorDataAsSpan<uint>()[0],
        TensorElementType.UInt16 => value.GetTensorDataAsSpan<ushort>()[0],
        TensorElementType.UInt8 => value.GetTensorDataAsSpan<byte>()[0],
        TensorElementType.Bool => value.GetTensorDataAsSpan<bool>()[0] ? 1 : 0,
        TensorElementType.Float16 => (double)value.GetTensorDataAsSpan<Float16>()[0],
        TensorElementType.BFloat16 => (double)value.GetTensorDataAsSpan<BFloat16>()[0],
        _ => throw ServingException.BadRequest($"A switch condition cannot read a {type} tensor."),
    };
}
