namespace Serverless.TestModels;

/// <summary>
/// One ONNX TensorProto for an initializer or a tensor-valued attribute (a Constant node's <c>value</c>): data
/// inside the model, or stored as external data at a path beside the model. Immutable; thread-safe.
/// </summary>
public sealed class OnnxTensorValue
{
    private readonly Action<ProtoWriter> _write;

    private OnnxTensorValue(string name, Action<ProtoWriter> write)
    {
        Name = name;
        _write = write;
    }

    public string Name { get; }

    /// <summary>A FLOAT tensor (row-major values).</summary>
    public static OnnxTensorValue Float(string name, float[] values, params long[] dims)
    {
        CheckCount(name, values.Length, dims);
        return new OnnxTensorValue(name, writer => OnnxProtoEncoder.WriteFloatTensor(writer, name, values, dims));
    }

    /// <summary>An INT64 tensor (row-major values).</summary>
    public static OnnxTensorValue Int64(string name, long[] values, params long[] dims)
    {
        CheckCount(name, values.Length, dims);
        return new OnnxTensorValue(name, writer => OnnxProtoEncoder.WriteInt64Tensor(writer, name, values, dims));
    }

    /// <summary>
    /// A tensor whose data ONNX Runtime would read from <paramref name="location"/> (relative to the model's
    /// folder): <c>data_location = EXTERNAL</c> with <c>location</c>, <c>offset</c> and <c>length</c> entries.
    /// </summary>
    public static OnnxTensorValue External(string name, OnnxElementType type, long[] dims, string location, long offset = 0, long? length = null) =>
        new(name, writer => OnnxProtoEncoder.WriteExternalTensor(writer, name, type, dims, location, offset, length));

    internal ProtoWriter Encode()
    {
        var writer = new ProtoWriter();
        _write(writer);
        return writer;
    }

    private static void CheckCount(string name, int count, long[] dims)
    {
        var expected = dims.Aggregate(1L, (product, dim) => product * dim);
        if (expected != count)
        {
            throw new ArgumentException($"Tensor '{name}' has {count} values but dims [{string.Join(",", dims)}] need {expected}.", nameof(dims));
        }
    }
}

/// <summary>
/// One ONNX SparseTensorProto: the non-zero <paramref name="Values"/> (1-D), their linear
/// <paramref name="Indices"/> (INT64, 1-D) and the dense shape.
/// </summary>
public sealed record OnnxSparseTensorValue(OnnxTensorValue Values, OnnxTensorValue Indices, long[] Dims)
{
    internal ProtoWriter Encode()
    {
        var sparse = new ProtoWriter();
        sparse.WriteMessage(1, Values.Encode());
        sparse.WriteMessage(2, Indices.Encode());
        sparse.WritePackedInt64(3, Dims);
        return sparse;
    }
}
