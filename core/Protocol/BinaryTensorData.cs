using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>
/// The Open Inference Protocol's binary tensor extension (Triton's <c>binary_tensor_data</c>, also KServe's): a body is
/// a JSON inference header of <see cref="HeaderName"/> bytes followed by raw tensor bytes, each input carrying
/// <c>parameters.binary_data_size</c>; an answer that holds binary outputs is laid out the same way. Raw bytes are
/// row-major and little-endian (the process is: every platform ONNX Runtime ships for is), BOOL one byte per element,
/// BYTES elements a 4-byte little-endian length then that many bytes. Pure; thread-safe.
/// </summary>
public static class BinaryTensorData
{
    /// <summary>The name of the extension in the server metadata's <c>extensions</c>.</summary>
    public const string ExtensionName = "binary_tensor_data";

    /// <summary>The request and response header giving the JSON header's length in bytes.</summary>
    public const string HeaderName = "Inference-Header-Content-Length";

    /// <summary>The content type of an answer that carries binary outputs.</summary>
    public const string ContentType = "application/octet-stream";

    /// <summary>
    /// The JSON header's length from <see cref="HeaderName"/>'s value: -1 when the request has no such header (the whole
    /// body is JSON), else a non-negative integer. Anything else (negative, not a number, several values) is a BadRequest.
    /// Whether it fits the body is checked with the body (<see cref="InferRequestParser"/>).
    /// </summary>
    public static long ParseHeaderLength(string? value)
    {
        if (value is null)
        {
            return -1;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            var quoted = value.Length <= JsonErrorText.MaxQuoted ? value : value[..JsonErrorText.MaxQuoted] + "...";
            throw ServingException.BadRequest(
                $"The {HeaderName} header must be one non-negative integer no larger than the body: the byte length of the JSON at its start; got '{quoted}'.");
        }

        return length;
    }

    /// <summary>The bytes one element of a fixed-size type takes, or 0 for BYTES (length-prefixed) and types the protocol cannot carry.</summary>
    internal static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Bool or TensorElementType.UInt8 or TensorElementType.Int8 => 1,
        TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.UInt32 or TensorElementType.Int32 or TensorElementType.Float => 4,
        TensorElementType.UInt64 or TensorElementType.Int64 or TensorElementType.Double => 8,
        _ => 0,
    };
}
