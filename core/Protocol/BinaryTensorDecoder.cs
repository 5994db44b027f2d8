using System.Buffers.Binary;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>
/// Decodes one input's raw bytes (the binary tensor extension, <see cref="BinaryTensorData"/>) straight into a native
/// ONNX Runtime tensor: fixed-size types are one copy into the tensor's buffer; BYTES elements are walked once to count
/// and bound them before the tensor is created, so nothing is allocated for what the bytes do not hold.
/// Thread-safe (stateless).
/// </summary>
internal static class BinaryTensorDecoder
{
    /// <summary>
    /// The tensor of <paramref name="shape"/> held by <paramref name="bytes"/> (exactly its <c>binary_data_size</c>); the
    /// caller owns (disposes) it. A size that does not fit the shape, a BOOL byte other than 0 or 1, or a BYTES length
    /// running past the end is a BadRequest naming the input.
    /// </summary>
    public static OrtValue Decode(ReadOnlySpan<byte> bytes, string inputName, TensorElementType type, string datatype, long[] shape, long elementCount)
    {
        if (type == TensorElementType.String)
        {
            return DecodeStrings(bytes, inputName, shape, elementCount);
        }

        var size = BinaryTensorData.ElementSize(type);
        if (size == 0)
        {
            throw ServingException.BadRequest($"Input '{inputName}': element type {type} cannot be sent over the protocol.");
        }

        if ((Int128)elementCount * size != bytes.Length)
        {
            throw ServingException.BadRequest(
                $"Input '{inputName}': binary_data_size is {bytes.Length} byte(s) but shape [{string.Join(",", shape)}] of {datatype} needs {elementCount} × {size} = {(Int128)elementCount * size}.");
        }

        if (type == TensorElementType.Bool && bytes.IndexOfAnyExcept((byte)0, (byte)1) is var bad and >= 0)
        {
            throw ServingException.BadRequest($"Input '{inputName}': element {bad} is the byte {bytes[bad]}, which is not a valid BOOL value (0 or 1).");
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        bytes.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    private static OrtValue DecodeStrings(ReadOnlySpan<byte> bytes, string inputName, long[] shape, long elementCount)
    {
        var count = CountStrings(bytes, inputName);
        if (count != elementCount)
        {
            throw ServingException.BadRequest($"Input '{inputName}': binary data holds {count} BYTES element(s) but its shape needs {elementCount}.");
        }

        var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            var offset = 0;
            for (var i = 0; i < count; i++)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);
                tensor.StringTensorSetElementAt(bytes.Slice(offset + 4, length), i);
                offset += 4 + length;
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>The number of length-prefixed elements, each checked to end within <paramref name="bytes"/>; allocates nothing.</summary>
    private static long CountStrings(ReadOnlySpan<byte> bytes, string inputName)
    {
        long count = 0;
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < 4)
            {
                throw ServingException.BadRequest(
                    $"Input '{inputName}': BYTES element {count} starts at byte {offset} but only {bytes.Length - offset} byte(s) are left, fewer than its 4-byte length.");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);
            if (length > (uint)(bytes.Length - offset - 4))
            {
                throw ServingException.BadRequest(
                    $"Input '{inputName}': BYTES element {count} says {length} byte(s) but only {bytes.Length - offset - 4} are left in its binary_data_size.");
            }

            offset += 4 + (int)length;
            count++;
        }

        return count;
    }
}
