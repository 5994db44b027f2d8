using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Protocol;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>Copies and summarises ONNX Runtime tensors for the log on the request path (the values die with the request).</summary>
internal static class TensorValues
{
    public static bool IsSupported(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16 or
            TensorElementType.Int8 or TensorElementType.Int16 or TensorElementType.Int32 or TensorElementType.Int64 or
            TensorElementType.UInt8 or TensorElementType.UInt16 or TensorElementType.UInt32 or TensorElementType.UInt64 or
            TensorElementType.Bool or TensorElementType.String => true,
        _ => false,
    };

    /// <summary>Every element as a double (a numeric tensor of a supported type).</summary>
    public static double[] CopyNumbers(OrtValue value, TensorElementType type, int count)
    {
        var numbers = new double[count];
        switch (type)
        {
            case TensorElementType.Float:
                Widen(value.GetTensorDataAsSpan<float>(), numbers);
                break;
            case TensorElementType.Double:
                value.GetTensorDataAsSpan<double>()[..count].CopyTo(numbers);
                break;
            case TensorElementType.Float16:
                var halves = value.GetTensorDataAsSpan<Float16>();
                for (var i = 0; i < count; i++)
                {
                    numbers[i] = (double)BitConverter.UInt16BitsToHalf(halves[i].value);
                }

                break;
            case TensorElementType.BFloat16:
                var brains = value.GetTensorDataAsSpan<BFloat16>();
                for (var i = 0; i < count; i++)
                {
                    numbers[i] = BFloat16Bits.ToSingle(brains[i].value);
                }

                break;
            case TensorElementType.Bool:
                var flags = value.GetTensorDataAsSpan<bool>();
                for (var i = 0; i < count; i++)
                {
                    numbers[i] = flags[i] ? 1 : 0;
                }

                break;
            case TensorElementType.Int8:
                Widen(value.GetTensorDataAsSpan<sbyte>(), numbers);
                break;
            case TensorElementType.Int16:
                Widen(value.GetTensorDataAsSpan<short>(), numbers);
                break;
            case TensorElementType.Int32:
                Widen(value.GetTensorDataAsSpan<int>(), numbers);
                break;
            case TensorElementType.Int64:
                Widen(value.GetTensorDataAsSpan<long>(), numbers);
                break;
            case TensorElementType.UInt8:
                Widen(value.GetTensorDataAsSpan<byte>(), numbers);
                break;
            case TensorElementType.UInt16:
                Widen(value.GetTensorDataAsSpan<ushort>(), numbers);
                break;
            case TensorElementType.UInt32:
                Widen(value.GetTensorDataAsSpan<uint>(), numbers);
                break;
            case TensorElementType.UInt64:
                Widen(value.GetTensorDataAsSpan<ulong>(), numbers);
                break;
            default:
                throw new NotSupportedException($"Element type {type} cannot be logged as numbers.");
        }

        return numbers;
    }

    public static string[] CopyStrings(OrtValue value, int count)
    {
        var strings = new string[count];
        for (var i = 0; i < count; i++)
        {
            strings[i] = value.GetStringElement(i);
        }

        return strings;
    }

    /// <summary>Shape, datatype, count and (numeric tensors) min, max and mean over the finite elements, in one pass.</summary>
    public static TensorSummary Summarize(string name, OrtValue value)
    {
        if (!value.IsTensor)
        {
            return new TensorSummary(name, value.OnnxType.ToString(), [], 0, default);
        }

        var info = value.GetTensorTypeAndShape();
        var datatype = OipDatatypeName(info.ElementDataType);
        var count = info.ElementCount;
        if (info.ElementDataType == TensorElementType.String || !IsSupported(info.ElementDataType) || count == 0)
        {
            return new TensorSummary(name, datatype, info.Shape, count, default);
        }

        var stats = info.ElementDataType switch
        {
            TensorElementType.Float => Stats(value.GetTensorDataAsSpan<float>()),
            TensorElementType.Double => Stats(value.GetTensorDataAsSpan<double>()),
            TensorElementType.Int8 => Stats(value.GetTensorDataAsSpan<sbyte>()),
            TensorElementType.Int16 => Stats(value.GetTensorDataAsSpan<short>()),
            TensorElementType.Int32 => Stats(value.GetTensorDataAsSpan<int>()),
            TensorElementType.Int64 => Stats(value.GetTensorDataAsSpan<long>()),
            TensorElementType.UInt8 => Stats(value.GetTensorDataAsSpan<byte>()),
            TensorElementType.UInt16 => Stats(value.GetTensorDataAsSpan<ushort>()),
            TensorElementType.UInt32 => Stats(value.GetTensorDataAsSpan<uint>()),
            TensorElementType.UInt64 => Stats(value.GetTensorDataAsSpan<ulong>()),
            _ => Stats(CopyNumbers(value, info.ElementDataType, checked((int)count)).AsSpan()),
        };
        return new TensorSummary(name, datatype, info.Shape, count, stats);
    }

    public static string OipDatatypeName(TensorElementType type) => Onnx.OipDatatypes.FromElementType(type) ?? type.ToString().ToUpperInvariant();

    private static void Widen<T>(ReadOnlySpan<T> source, Span<double> target)
        where T : INumberBase<T>
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = double.CreateTruncating(source[i]);
        }
    }

    private static TensorStats Stats<T>(ReadOnlySpan<T> values)
        where T : INumberBase<T>
    {
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        var mean = 0.0;
        var squares = 0.0;
        var finite = 0L;
        long nan = 0, infinite = 0;
        foreach (var item in values)
        {
            var v = double.CreateTruncating(item);
            if (!double.IsFinite(v))
            {
                if (double.IsNaN(v))
                {
                    nan++;
                }
                else
                {
                    infinite++;
                }

                continue;
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
            finite++;
            var delta = v - mean;
            mean += delta / finite;
            squares += delta * (v - mean);
        }

        return finite == 0
            ? new TensorStats(null, null, null, null, nan, infinite)
            : new TensorStats(min, max, mean, Math.Sqrt(squares / finite), nan, infinite);
    }
}

/// <summary>
/// A tensor too large or too oddly shaped to log per row: shape, datatype, count, and (numeric tensors) min, max, mean
/// and population standard deviation of its finite elements with the counts of NaN and infinite ones.
/// </summary>
internal sealed record TensorSummary(string Name, string Datatype, long[] Shape, long Count, TensorStats Stats);

/// <summary>A numeric tensor's figures over its finite elements (null when it has none), and how many were NaN or infinite.</summary>
internal readonly record struct TensorStats(double? Min, double? Max, double? Mean, double? StdDev, long NaN, long Infinite);

/// <summary>A row-aligned tensor ([N] or [N, Width]) copied out: row r's values are at [r * Width, (r + 1) * Width).</summary>
internal sealed record TensorColumns(string Name, string Datatype, int Width, double[]? Numbers, string[]? Strings);
