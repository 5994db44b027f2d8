using System.Buffers;
using System.Buffers.Binary;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Core.Protocol;

/// <summary>
/// Writes an output tensor as the binary tensor extension's raw bytes (<see cref="BinaryTensorData"/>): a fixed-size
/// type is one copy of ONNX Runtime's buffer; BYTES elements are each a 4-byte little-endian length and their bytes.
/// Thread-safe (stateless).
/// </summary>
internal static class TensorBytesWriter
{
    /// <summary>The bytes <see cref="Write"/> writes for <paramref name="tensor"/>: its <c>binary_data_size</c>.</summary>
    public static long Size(OrtValue tensor, OrtTensorTypeAndShapeInfo info)
    {
        if (info.ElementDataType != TensorElementType.String)
        {
            return info.ElementCount * BinaryTensorData.ElementSize(info.ElementDataType);
        }

        long size = 0;
        for (var i = 0; i < info.ElementCount; i++)
        {
            size += 4 + tensor.GetStringElementAsSpan(i).Length;
        }

        return size;
    }

    public static void Write(IBufferWriter<byte> output, OrtValue tensor, OrtTensorTypeAndShapeInfo info)
    {
        if (info.ElementDataType != TensorElementType.String)
        {
            output.Write(tensor.GetTensorMutableRawData());
            return;
        }

        for (var i = 0; i < info.ElementCount; i++)
        {
            var utf8 = tensor.GetStringElementAsSpan(i);
            var span = output.GetSpan(4 + utf8.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)utf8.Length);
            utf8.CopyTo(span[4..]);
            output.Advance(4 + utf8.Length);
        }
    }
}
