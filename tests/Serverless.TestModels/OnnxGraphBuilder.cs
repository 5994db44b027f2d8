namespace Serverless.TestModels;

/// <summary>
/// Builds an ONNX model (ir_version 8, default opset 17, plus ai.onnx.ml 3 when a node uses it; optionally with
/// subgraphs, model-local functions and training info) as serialized ModelProto bytes, without Python or a protobuf library. Fluent; not thread-safe.
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
    private readonly List<ProtoWriter> _sparseInitializers = [];
    private readonly List<(string Domain, ProtoWriter Function)> _functions = [];
    private readonly List<ProtoWriter> _trainingInfo = [];
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
    public OnnxGraphBuilder Initializer(string name, float[] values, params long[] dims) =>
        Initializer(OnnxTensorValue.Float(name, values, dims));

    /// <summary>Adds a constant INT64 tensor (row-major values).</summary>
    public OnnxGraphBuilder Initializer(string name, long[] values, params long[] dims) =>
        Initializer(OnnxTensorValue.Int64(name, values, dims));

    /// <summary>Adds an initializer (possibly one stored as external data).</summary>
    public OnnxGraphBuilder Initializer(OnnxTensorValue tensor)
    {
        _initializers.Add(tensor.Encode());
        return this;
    }

    /// <summary>Adds a sparse initializer (GraphProto.sparse_initializer); its name is its values' name.</summary>
    public OnnxGraphBuilder SparseInitializer(OnnxSparseTensorValue tensor)
    {
        _sparseInitializers.Add(tensor.Encode());
        return this;
    }

    /// <summary>
    /// Adds a model-local function (ModelProto.functions): <paramref name="body"/>'s nodes computing
    /// <paramref name="outputs"/> from <paramref name="inputs"/>; nodes of this graph call it by domain and name.
    /// </summary>
    public OnnxGraphBuilder Function(string domain, string name, string[] inputs, string[] outputs, OnnxGraphBuilder body)
    {
        var function = new ProtoWriter();
        function.WriteString(1, name);
        foreach (var input in inputs)
        {
            function.WriteString(4, input);
        }

        foreach (var output in outputs)
        {
            function.WriteString(5, output);
        }

        foreach (var node in body._nodes)
        {
            function.WriteMessage(7, node);
        }

        function.WriteMessage(9, Opset("", DefaultOpset));
        function.WriteString(10, domain);
        _functions.Add((domain, function));
        return this;
    }

    /// <summary>Adds a TrainingInfoProto whose <c>initialization</c> graph is <paramref name="initialization"/>.</summary>
    public OnnxGraphBuilder TrainingInitialization(OnnxGraphBuilder initialization)
    {
        var training = new ProtoWriter();
        training.WriteMessage(1, initialization.EncodeGraph());
        _trainingInfo.Add(training);
        return this;
    }

    /// <summary>
    /// Adds a node. Attribute values may be float, long or int, string, float[], long[], string[],
    /// <see cref="OnnxTensorValue"/>, <see cref="OnnxSparseTensorValue"/> or an <see cref="OnnxGraphBuilder"/> (a subgraph).
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
        var model = new ProtoWriter();
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, "Serverless.TestModels");
        model.WriteMessage(7, EncodeGraph());
        model.WriteMessage(8, Opset("", DefaultOpset));
        if (_usesMlDomain)
        {
            model.WriteMessage(8, Opset(MlDomain, MlOpset));
        }

        foreach (var domain in _functions.Select(f => f.Domain).Distinct())
        {
            model.WriteMessage(8, Opset(domain, 1));
        }

        foreach (var training in _trainingInfo)
        {
            model.WriteMessage(20, training);
        }

        foreach (var (_, function) in _functions)
        {
            model.WriteMessage(25, function);
        }

        return model.ToArray();
    }

    /// <summary>This builder's graph as a GraphProto (for a subgraph attribute such as If's branches).</summary>
    internal ProtoWriter EncodeGraph()
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

        foreach (var sparse in _sparseInitializers)
        {
            graph.WriteMessage(15, sparse);
        }

        return graph;
    }

    private static ProtoWriter Opset(string domain, long version)
    {
        var opset = new ProtoWriter();
        opset.WriteString(1, domain);
        opset.WriteInt64(2, version);
        return opset;
    }
}
