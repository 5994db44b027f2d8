namespace Serverless.TestModels;

/// <summary>
/// Builds a single-graph ONNX model (ir_version 8, default opset 17, plus ai.onnx.ml 3 when a node uses it)
/// as serialized ModelProto bytes, without Python or a protobuf library. Fluent; not thread-safe.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The domain of the traditional ML operators (ZipMap, LinearClassifier, ...).</summary>
    public const string MlDomain = "ai.onnx.ml";

    private const long IrVersion = 8;
    private const long DefaultOpset = 17;
    private const long MlOpset = 3;

    private readonly string _graphName;
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _nodes = [];
    private bool _usesMlDomain;

    public OnnxGraphBuilder(string graphName = "graph")
    {
        _graphName = graphName;
    }

    /// <summary>Declares a tensor input; each dim is a long or int (fixed) or a string (symbolic, such as "N").</summary>
    public OnnxGraphBuilder Input(string name, OnnxElementType type, params object[] dims)
    {
        _inputs.Add(OnnxProtoEncoder.TensorValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Declares a tensor output; dims as for <see cref="Input"/>.</summary>
    public OnnxGraphBuilder Output(string name, OnnxElementType type, params object[] dims)
    {
        _outputs.Add(OnnxProtoEncoder.TensorValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Declares an output of type sequence(map(keyType, tensor(valueType))), as ZipMap produces.</summary>
    public OnnxGraphBuilder SequenceOfMapOutput(string name, OnnxElementType keyType, OnnxElementType valueType)
    {
        _outputs.Add(OnnxProtoEncoder.SequenceOfMapValueInfo(name, keyType, valueType));
        return this;
    }

    /// <summary>Adds a constant FLOAT tensor (row-major values).</summary>
    public OnnxGraphBuilder Initializer(string name, float[] values, params long[] dims)
    {
        CheckCount(name, values.Length, dims);
        _initializers.Add(OnnxProtoEncoder.FloatTensor(name, values, dims));
        return this;
    }

    /// <summary>Adds a constant INT64 tensor (row-major values).</summary>
    public OnnxGraphBuilder Initializer(string name, long[] values, params long[] dims)
    {
        CheckCount(name, values.Length, dims);
        _initializers.Add(OnnxProtoEncoder.Int64Tensor(name, values, dims));
        return this;
    }

    /// <summary>
    /// Adds a node. Attribute values may be float, long or int, string, float[], long[] or string[].
    /// A null or empty domain is the default ONNX domain.
    /// </summary>
    public OnnxGraphBuilder Node(string opType, string[] inputs, string[] outputs, string? domain = null, params (string Name, object Value)[] attributes)
    {
        _nodes.Add(OnnxProtoEncoder.Node($"{opType}_{_nodes.Count}", opType, inputs, outputs, domain, attributes));
        _usesMlDomain |= domain == MlDomain;
        return this;
    }

    /// <summary>Serializes the model as ONNX ModelProto bytes, ready for an InferenceSession.</summary>
    public byte[] Build()
    {
        var graph = new ProtoWriter();
        foreach (var node in _nodes)
        {
            graph.WriteMessage(1, node);
        }

        graph.WriteString(2, _graphName);
        foreach (var initializer in _initializers)
        {
            graph.WriteMessage(5, initializer);
        }

        foreach (var input in _inputs)
        {
            graph.WriteMessage(11, input);
        }

        foreach (var output in _outputs)
        {
            graph.WriteMessage(12, output);
        }

        var model = new ProtoWriter();
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, "Serverless.TestModels");
        model.WriteMessage(7, graph);
        model.WriteMessage(8, Opset("", DefaultOpset));
        if (_usesMlDomain)
        {
            model.WriteMessage(8, Opset(MlDomain, MlOpset));
        }

        return model.ToArray();
    }

    private static ProtoWriter Opset(string domain, long version)
    {
        var opset = new ProtoWriter();
        opset.WriteString(1, domain);
        opset.WriteInt64(2, version);
        return opset;
    }

    private static void CheckCount(string name, int count, long[] dims)
    {
        var expected = dims.Aggregate(1L, (product, dim) => product * dim);
        if (expected != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} values but dims [{string.Join(",", dims)}] need {expected}.", nameof(dims));
        }
    }
}
