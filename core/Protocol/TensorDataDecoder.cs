using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>
/// Decodes an OIP <c>data</c> value (flat or nested row-major JSON) straight into a native ONNX Runtime tensor
/// buffer, one pass over the tokens and no intermediate array. BYTES data is counted first (ONNX Runtime creates a
/// string per element up front), so a tensor is only created for as many strings as the JSON holds.
/// Thread-safe (stateless).
/// </summary>
internal static class TensorDataDecoder
{
    /// <summary>
    /// Allocates an OrtValue of <paramref name="shape"/> and fills it; the caller owns (disposes) the result. The caller
    /// has checked that <paramref name="elementCount"/> fits <paramref name="dataJson"/>'s length.
    /// </summary>
    public static OrtValue Decode(ReadOnlySpan<byte> dataJson, string inputName, TensorElementType type, string datatype, long[] shape, long elementCount)
    {
        if (type == TensorElementType.String)
        {
            var strings = CountStrings(dataJson, inputName);
            if (strings != elementCount)
            {
                throw ServingException.BadRequest($"Input '{inputName}': data has {strings} string(s) but its shape needs {elementCount}.");
            }

            var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            try
            {
                FillStrings(dataJson, tensor, inputName);
                return tensor;
            }
            catch
            {
                tensor.Dispose();
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

    /// <summary>The number of string elements, refusing any other token; nothing is allocated.</summary>
    private static long CountStrings(ReadOnlySpan<byte> json, string inputName)
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
                case JsonTokenType.String:
                    count++;
                    continue;
                default:
                    throw NotAnElement(inputName, count, "BYTES", Describe(ref reader));
            }
        }

        return count;
    }

    /// <summary>Sets every string of a tensor that <see cref="CountStrings"/> has sized exactly.</summary>
    private static void FillStrings(ReadOnlySpan<byte> json, OrtValue tensor, string inputName)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        var index = 0;
        byte[]? unescaped = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    continue;
                }

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

                    int length;
                    try
                    {
                        length = reader.CopyString(unescaped);
                    }
                    catch (InvalidOperationException)
                    {
                        throw NotAnElement(inputName, index, "BYTES", "a string with an unpaired surrogate escape");
                    }

                    tensor.StringTensorSetElementAt(unescaped.AsSpan(0, length), index);
                }
                else
                {
                    tensor.StringTensorSetElementAt(reader.ValueSpan, index);
                }

                index++;
            }
        }
        finally
        {
            if (unescaped is not null)
            {
                ArrayPool<byte>.Shared.Return(unescaped);
            }
        }
    }

    /// <summary>The number of scalar tokens (elements of any type) in a data value; allocates nothing.</summary>
    public static long CountElements(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        long count = 0;
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray or JsonTokenType.StartObject or JsonTokenType.EndObject or JsonTokenType.PropertyName))
            {
                count++;
            }
        }

        return count;
    }

    public static ServingException CountMismatch(string inputName, long count, long expected) =>
        ServingException.BadRequest($"Input '{inputName}': data has {count} element(s) but its shape needs {expected}.");

    private static void CheckCount(string inputName, long count, long expected)
    {
        if (count != expected)
        {
            throw CountMismatch(inputName, count, expected);
        }
    }

    private static ServingException NotAnElement(string inputName, int index, string datatype, string found) =>
        ServingException.BadRequest($"Input '{inputName}': element {index} is {found}, which is not a valid {datatype} value.");

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "the string \"" + Truncate(System.Text.Encoding.UTF8.GetString(reader.ValueSpan[..Math.Min(reader.ValueSpan.Length, 160)])) + "\"",
        JsonTokenType.Number => "the number " + Truncate(System.Text.Encoding.UTF8.GetString(reader.ValueSpan[..Math.Min(reader.ValueSpan.Length, 160)])),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static string Truncate(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "...";
}
