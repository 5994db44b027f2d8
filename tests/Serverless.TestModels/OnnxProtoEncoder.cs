using System.Buffers.Binary;

namespace Serverless.TestModels;

/// <summary>
/// Encodes the onnx.proto messages below GraphProto (ValueInfoProto, TypeProto, TensorProto, NodeProto,
/// AttributeProto, including tensor- and graph-valued attributes) with their field numbers. Pure functions; thread-safe.
/// </summary>
internal static class OnnxProtoEncoder
{
    private static class AttributeType
    {
        public const int Float = 1;
        public const int Int = 2;
        public const int String = 3;
        public const int Floats = 6;
        public const int Ints = 7;
        public const int Tensor = 4;
        public const int Graph = 5;
        public const int Strings = 8;
        public const int SparseTensor = 11;
    }

    public static ProtoWriter TensorValueInfo(string name, OnnxElementType type, IReadOnlyList<object> dims) =>
        ValueInfo(name, TensorType(type, dims));

    public static ProtoWriter SequenceOfMapValueInfo(string name, OnnxElementType keyType, OnnxElementType valueType)
    {
        var map = new ProtoWriter();
        map.WriteInt64(1, (int)keyType);
        map.WriteMessage(2, TensorType(valueType, dims: null));
        var mapType = new ProtoWriter();
        mapType.WriteMessage(5, map);
        var sequence = new ProtoWriter();
        sequence.WriteMessage(1, mapType);
        var sequenceType = new ProtoWriter();
        sequenceType.WriteMessage(4, sequence);
        return ValueInfo(name, sequenceType);
    }

    public static void WriteFloatTensor(ProtoWriter tensor, string name, float[] values, long[] dims)
    {
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        WriteTensor(tensor, name, OnnxElementType.Float, raw, dims);
    }

    public static void WriteInt64Tensor(ProtoWriter tensor, string name, long[] values, long[] dims)
    {
        var raw = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        WriteTensor(tensor, name, OnnxElementType.Int64, raw, dims);
    }

    /// <summary>A TensorProto with <c>data_location = EXTERNAL</c> (14) and <c>external_data</c> (13) key/value entries.</summary>
    public static void WriteExternalTensor(ProtoWriter tensor, string name, OnnxElementType type, long[] dims, string location, long offset, long? length)
    {
        tensor.WritePackedInt64(1, dims);
        tensor.WriteInt64(2, (int)type);
        tensor.WriteString(8, name);
        tensor.WriteMessage(13, KeyValue("location", location));
        tensor.WriteMessage(13, KeyValue("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (length is { } bytes)
        {
            tensor.WriteMessage(13, KeyValue("length", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        tensor.WriteInt64(14, 1);
    }

    public static ProtoWriter Node(string name, string opType, string[] inputs, string[] outputs, string? domain,
        IEnumerable<(string Name, object Value)> attributes)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.WriteString(1, input);
        }

        foreach (var output in outputs)
        {
            node.WriteString(2, output);
        }

        node.WriteString(3, name);
        node.WriteString(4, opType);
        foreach (var (attributeName, value) in attributes)
        {
            node.WriteMessage(5, Attribute(attributeName, value));
        }

        if (!string.IsNullOrEmpty(domain))
        {
            node.WriteString(7, domain);
        }

        return node;
    }

    private static ProtoWriter ValueInfo(string name, ProtoWriter type)
    {
        var valueInfo = new ProtoWriter();
        valueInfo.WriteString(1, name);
        valueInfo.WriteMessage(2, type);
        return valueInfo;
    }

    /// <summary>A TypeProto holding a tensor type; null dims leaves the shape unknown (as map values have it).</summary>
    private static ProtoWriter TensorType(OnnxElementType type, IReadOnlyList<object>? dims)
    {
        var tensor = new ProtoWriter();
        tensor.WriteInt64(1, (int)type);
        if (dims is not null)
        {
            tensor.WriteMessage(2, Shape(dims));
        }

        var typeProto = new ProtoWriter();
        typeProto.WriteMessage(1, tensor);
        return typeProto;
    }

    private static ProtoWriter Shape(IReadOnlyList<object> dims)
    {
        var shape = new ProtoWriter();
        foreach (var dim in dims)
        {
            var dimension = new ProtoWriter();
            switch (dim)
            {
                case string symbol:
                    dimension.WriteString(2, symbol);
                    break;
                case long or int:
                    dimension.WriteInt64(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new ArgumentException($"A dimension must be a long, an int or a symbolic string, not {dim?.GetType().Name ?? "null"}.", nameof(dims));
            }

            shape.WriteMessage(1, dimension);
        }

        return shape;
    }

    private static void WriteTensor(ProtoWriter tensor, string name, OnnxElementType type, byte[] raw, long[] dims)
    {
        tensor.WritePackedInt64(1, dims);
        tensor.WriteInt64(2, (int)type);
        tensor.WriteString(8, name);
        tensor.WriteBytes(9, raw);
    }

    private static ProtoWriter KeyValue(string key, string value)
    {
        var entry = new ProtoWriter();
        entry.WriteString(1, key);
        entry.WriteString(2, value);
        return entry;
    }

    private static ProtoWriter Attribute(string name, object value)
    {
        var attribute = new ProtoWriter();
        attribute.WriteString(1, name);
        switch (value)
        {
            case float f:
                attribute.WriteFloat(2, f);
                attribute.WriteInt64(20, AttributeType.Float);
                break;
            case long or int:
                attribute.WriteInt64(3, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                attribute.WriteInt64(20, AttributeType.Int);
                break;
            case string s:
                attribute.WriteString(4, s);
                attribute.WriteInt64(20, AttributeType.String);
                break;
            case float[] floats:
                attribute.WritePackedFloat(7, floats);
                attribute.WriteInt64(20, AttributeType.Floats);
                break;
            case long[] ints:
                attribute.WritePackedInt64(8, ints);
                attribute.WriteInt64(20, AttributeType.Ints);
                break;
            case string[] strings:
                foreach (var s in strings)
                {
                    attribute.WriteString(9, s);
                }

                attribute.WriteInt64(20, AttributeType.Strings);
                break;
            case OnnxTensorValue tensor:
                attribute.WriteMessage(5, tensor.Encode());
                attribute.WriteInt64(20, AttributeType.Tensor);
                break;
            case OnnxGraphBuilder graph:
                attribute.WriteMessage(6, graph.EncodeGraph());
                attribute.WriteInt64(20, AttributeType.Graph);
                break;
            case OnnxSparseTensorValue sparse:
                attribute.WriteMessage(22, sparse.Encode());
                attribute.WriteInt64(20, AttributeType.SparseTensor);
                break;
            default:
                throw new ArgumentException(
                    $"Attribute '{name}' has a value of type {value?.GetType().Name ?? "null"}; use float, long, int, string, float[], long[], " +
                    "string[], OnnxTensorValue, OnnxSparseTensorValue or OnnxGraphBuilder (a subgraph).",
                    nameof(value));
        }

        return attribute;
    }
}
