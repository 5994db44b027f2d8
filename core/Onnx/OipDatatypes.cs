using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Core.Onnx;

/// <summary>
/// Maps ONNX tensor element types to the Open Inference Protocol's datatype names and back.
/// Pure functions; thread-safe.
/// </summary>
public static class OipDatatypes
{
    public const string Bytes = "BYTES";

    /// <summary>The OIP datatype of an ONNX element type, or null when the protocol has no name for it.</summary>
    public static string? FromElementType(TensorElementType type) => type switch
    {
        TensorElementType.Bool => "BOOL",
        TensorElementType.UInt8 => "UINT8",
        TensorElementType.UInt16 => "UINT16",
        TensorElementType.UInt32 => "UINT32",
        TensorElementType.UInt64 => "UINT64",
        TensorElementType.Int8 => "INT8",
        TensorElementType.Int16 => "INT16",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.BFloat16 => "BF16",
        TensorElementType.Float => "FP32",
        TensorElementType.Double => "FP64",
        TensorElementType.String => Bytes,
        _ => null,
    };

    /// <summary>The ONNX element type for an OIP datatype name (case-sensitive, as the protocol spells it).</summary>
    public static bool TryToElementType(string datatype, out TensorElementType type)
    {
        type = datatype switch
        {
            "BOOL" => TensorElementType.Bool,
            "UINT8" => TensorElementType.UInt8,
            "UINT16" => TensorElementType.UInt16,
            "UINT32" => TensorElementType.UInt32,
            "UINT64" => TensorElementType.UInt64,
            "INT8" => TensorElementType.Int8,
            "INT16" => TensorElementType.Int16,
            "INT32" => TensorElementType.Int32,
            "INT64" => TensorElementType.Int64,
            "FP16" => TensorElementType.Float16,
            "BF16" => TensorElementType.BFloat16,
            "FP32" => TensorElementType.Float,
            "FP64" => TensorElementType.Double,
            Bytes => TensorElementType.String,
            _ => TensorElementType.DataTypeMax,
        };
        return type != TensorElementType.DataTypeMax;
    }
}
