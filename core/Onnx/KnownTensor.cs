namespace Serverless.Core.Onnx;

/// <summary>
/// What the scan knows about one tensor value of a graph: element type, element count, dimensions (when the
/// rank is small) and values (when there are few). Used to estimate what generator nodes allocate.
/// </summary>
internal sealed class KnownTensor
{
    public const int MaxRank = 8;
    public const int MaxValues = 64;

    public KnownTensor(int dataType, long elements, long[]? dims, double[]? values)
    {
        DataType = dataType;
        Elements = elements;
        Dims = dims;
        Values = values;
    }

    /// <summary>TensorProto.DataType (1 FLOAT, 7 INT64, ...); 0 when unknown.</summary>
    public int DataType { get; }

    /// <summary>Elements (saturating product of the dimensions).</summary>
    public long Elements { get; }

    /// <summary>The dimensions, or null when the rank is unknown or over <see cref="MaxRank"/>.</summary>
    public long[]? Dims { get; }

    /// <summary>The values as doubles, or null when there are more than <see cref="MaxValues"/> or they were not decoded.</summary>
    public double[]? Values { get; }

    /// <summary>Bytes per element of a TensorProto.DataType (strings and unknown types count 8).</summary>
    public static int ElementSize(int dataType) => dataType switch
    {
        2 or 3 or 9 or 17 or 18 or 19 or 20 or 21 or 22 or 23 => 1, // (u)int8, bool, float8 and 4-bit types (rounded up)
        4 or 5 or 10 or 16 => 2,                                    // (u)int16, float16, bfloat16
        1 or 6 or 12 => 4,                                          // float, int32, uint32
        7 or 11 or 13 or 14 => 8,                                   // int64, double, uint64, complex64
        15 => 16,                                                   // complex128
        _ => 8,
    };
}
