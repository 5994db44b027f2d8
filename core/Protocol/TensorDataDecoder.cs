using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>
/// Decodes an OIP <c>data</c> value (flat or nested row-major JSON) straight into a native ONNX Runtime tensor
/// buffer, one pass over the tokens and no intermediate array. Thread-safe (stateless).
/// </summary>
internal static class TensorDataDecoder
{
    /// <summary>Allocates an OrtValue of <paramref name="shape"/> and fills it; the caller owns (disposes) the result.</summary>
    public static OrtValue Decode(ReadOnlySpan<byte> dataJson, string inputName, TensorElementType type, string datatype, long[] shape, long elementCount)
    {
        if (type == TensorElementType.String)
        {
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            try
            {
                FillStrings(dataJson, strings, inputName, elementCount);
                return strings;
            }
            catch
            {
                strings.Dispose();
                throw;
            }
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        try
        {
            var raw = value.GetTensorMutableRawData();
            switch (type)
            {
                case TensorElementType.Float: Fill<float, Float32Reader>(dataJson, Cast<float>(raw), inputName, datatype); break;
                case TensorElementType.Double: Fill<double, Float64Reader>(dataJson, Cast<double>(raw), inputName, datatype); break;
                case TensorElementType.Int64: Fill<long, Int64Reader>(dataJson, Cast<long>(raw), inputName, datatype); break;
                case TensorElementType.Int32: Fill<int, Int32Reader>(dataJson, Cast<int>(raw), inputName, datatype); break;
                case TensorElementType.Bool: Fill<bool, BoolReader>(dataJson, Cast<bool>(raw), inputName, datatype); break;
                case TensorElementType.UInt8: Fill<byte, UInt8Reader>(dataJson, raw, inputName, datatype); break;
                case TensorElementType.Int8: Fill<sbyte, Int8Reader>(dataJson, Cast<sbyte>(raw), inputName, datatype); break;
                case TensorElementType.UInt16: Fill<ushort, UInt16Reader>(dataJson, Cast<ushort>(raw), inputName, datatype); break;
                case TensorElementType.Int16: Fill<short, Int16Reader>(dataJson, Cast<short>(raw), inputName, datatype); break;
                case TensorElementType.UInt32: Fill<uint, UInt32Reader>(dataJson, Cast<uint>(raw), inputName, datatype); break;
                case TensorElementType.UInt64: Fill<ulong, UInt64Reader>(dataJson, Cast<ulong>(raw), inputName, datatype); break;
                case TensorElementType.Float16: Fill<ushort, Float16Reader>(dataJson, Cast<ushort>(raw), inputName, datatype); break;
                case TensorElementType.BFloat16: Fill<ushort, BFloat16Reader>(dataJson, Cast<ushort>(raw), inputName, datatype); break;
                default: throw ServingException.BadRequest($"Input '{inputName}': element type {type} cannot be sent over the protocol.");
            }

            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    private static Span<T> Cast<T>(Span<byte> raw)
        where T : struct => MemoryMarshal.Cast<byte, T>(raw);

    private static void Fill<T, TReader>(ReadOnlySpan<byte> json, Span<T> destination, string inputName, string datatype)
        where T : unmanaged
        where TReader : IElementReader<T>
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        var count = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                case JsonTokenType.EndArray:
                    continue;
                case JsonTokenType.StartObject:
                    throw NotAnElement(inputName, count, datatype, "an object");
            }

            if (count < destination.Length)
            {
                if (!TReader.TryRead(ref reader, out destination[count]))
                {
                    throw NotAnElement(inputName, count, datatype, Describe(ref reader));
                }
            }

            count++;
        }

        CheckCount(inputName, count, destination.Length);
    }

    private static void FillStrings(ReadOnlySpan<byte> json, OrtValue tensor, string inputName, long elementCount)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        var count = 0;
        byte[]? unescaped = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartArray:
                    case JsonTokenType.EndArray:
                        continue;
                    case JsonTokenType.String:
                        break;
                    default:
                        throw NotAnElement(inputName, count, "BYTES", Describe(ref reader));
                }

                if (count < elementCount)
                {
                    if (reader.ValueIsEscaped)
                    {
                        if (unescaped is null || unescaped.Length < reader.ValueSpan.Length)
                        {
                            if (unescaped is not null)
                            {
                                ArrayPool<byte>.Shared.Return(unescaped);
                            }

                            unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                        }

                        var length = reader.CopyString(unescaped);
                        tensor.StringTensorSetElementAt(unescaped.AsSpan(0, length), count);
                    }
                    else
                    {
                        tensor.StringTensorSetElementAt(reader.ValueSpan, count);
                    }
                }

                count++;
            }
        }
        finally
        {
            if (unescaped is not null)
            {
                ArrayPool<byte>.Shared.Return(unescaped);
            }
        }

        CheckCount(inputName, count, elementCount);
    }

    private static void CheckCount(string inputName, long count, long expected)
    {
        if (count != expected)
        {
            throw ServingException.BadRequest(
                $"Input '{inputName}': data has {count} element(s) but its shape needs {expected}.");
        }
    }

    private static ServingException NotAnElement(string inputName, int index, string datatype, string found) =>
        ServingException.BadRequest($"Input '{inputName}': element {index} is {found}, which is not a valid {datatype} value.");

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "the string \"" + Truncate(reader.GetString()) + "\"",
        JsonTokenType.Number => "the number " + Truncate(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static string Truncate(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "...";
}
