using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Core.Protocol;

/// <summary>
/// Writes tensor elements as a flat JSON array straight from ONNX Runtime's output buffer. Non-finite floats
/// become the strings "NaN", "Infinity" and "-Infinity". Thread-safe (stateless).
/// </summary>
internal static class TensorDataWriter
{
    public static void WriteElements(Utf8JsonWriter writer, OrtValue tensor, TensorElementType type, long count)
    {
        writer.WriteStartArray();
        switch (type)
        {
            case TensorElementType.Float:
                foreach (var v in tensor.GetTensorDataAsSpan<float>())
                {
                    WriteFloat(writer, v);
                }

                break;
            case TensorElementType.Double:
                foreach (var v in tensor.GetTensorDataAsSpan<double>())
                {
                    WriteFloat(writer, v);
                }

                break;
            case TensorElementType.Float16:
                foreach (var v in tensor.GetTensorDataAsSpan<Float16>())
                {
                    WriteFloat(writer, (float)BitConverter.UInt16BitsToHalf(v.value));
                }

                break;
            case TensorElementType.BFloat16:
                foreach (var v in tensor.GetTensorDataAsSpan<BFloat16>())
                {
                    WriteFloat(writer, BFloat16Bits.ToSingle(v.value));
                }

                break;
            case TensorElementType.Int64:
                foreach (var v in tensor.GetTensorDataAsSpan<long>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Int32:
                foreach (var v in tensor.GetTensorDataAsSpan<int>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Int16:
                foreach (var v in tensor.GetTensorDataAsSpan<short>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Int8:
                foreach (var v in tensor.GetTensorDataAsSpan<sbyte>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt64:
                foreach (var v in tensor.GetTensorDataAsSpan<ulong>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt32:
                foreach (var v in tensor.GetTensorDataAsSpan<uint>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt16:
                foreach (var v in tensor.GetTensorDataAsSpan<ushort>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt8:
                foreach (var v in tensor.GetTensorDataAsSpan<byte>())
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Bool:
                foreach (var v in tensor.GetTensorDataAsSpan<bool>())
                {
                    writer.WriteBooleanValue(v);
                }

                break;
            case TensorElementType.String:
                for (var i = 0; i < count; i++)
                {
                    writer.WriteStringValue(tensor.GetStringElementAsSpan(i));
                }

                break;
            default:
                throw new NotSupportedException($"Element type {type} has no protocol datatype.");
        }

        writer.WriteEndArray();
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    private static void WriteNonFinite(Utf8JsonWriter writer, double value) =>
        writer.WriteStringValue(double.IsNaN(value) ? OipJson.NaN : value > 0 ? OipJson.PositiveInfinity : OipJson.NegativeInfinity);
}
