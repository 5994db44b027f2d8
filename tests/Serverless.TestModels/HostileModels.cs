namespace Serverless.TestModels;

/// <summary>
/// Models an attacker could register: tensors stored as external data in every place ONNX allows one
/// (initializers, sparse initializers, Constant nodes, If branches, model-local functions, training info),
/// tiny models that grow huge in memory (ConstantOfShape, Expand, Tile, Range) and protobuf nested past any
/// sane depth. Each is valid ONNX unless said otherwise. Deterministic; thread-safe.
/// </summary>
public static class HostileModels
{
    /// <summary>"x" FP32 ["N", 4] + "W" (4 floats stored externally at <paramref name="location"/>) → "y".</summary>
    public static byte[] ExternalInitializer(string location = "weights.bin", string name = "W") => AddToInput(
        new OnnxGraphBuilder("external_initializer")
            .Initializer(OnnxTensorValue.External(name, OnnxElementType.Float, [4], location, 0, 16)),
        name);

    /// <summary>As <see cref="ExternalInitializer"/>, the weights a sparse initializer whose values are external.</summary>
    public static byte[] ExternalSparseInitializer() => AddToInput(
        new OnnxGraphBuilder("external_sparse")
            .SparseInitializer(new OnnxSparseTensorValue(
                OnnxTensorValue.External("W", OnnxElementType.Float, [2], "values.bin", 0, 8),
                OnnxTensorValue.Int64("W_indices", [0, 3], 2),
                [4])),
        "W");

    /// <summary>The weights come from a Constant node whose <c>value</c> tensor is external.</summary>
    public static byte[] ExternalConstantNode() => AddToInput(
        new OnnxGraphBuilder("external_constant")
            .Node("Constant", [], ["W"], attributes: ("value", OnnxTensorValue.External("W_value", OnnxElementType.Float, [4], "constant.bin", 0, 16))),
        "W");

    /// <summary>The weights come from a Constant node whose <c>sparse_value</c> has external values.</summary>
    public static byte[] ExternalSparseConstantNode() => AddToInput(
        new OnnxGraphBuilder("external_sparse_constant")
            .Node("Constant", [], ["W"], attributes: ("sparse_value", new OnnxSparseTensorValue(
                OnnxTensorValue.External("W_values", OnnxElementType.Float, [2], "sparse.bin", 0, 8),
                OnnxTensorValue.Int64("W_indices", [0, 3], 2),
                [4]))),
        "W");

    /// <summary>An If node whose then-branch holds a Constant node with an external tensor.</summary>
    public static byte[] ExternalInIfBranch()
    {
        var thenBranch = new OnnxGraphBuilder("then_branch")
            .Node("Constant", [], ["W_then"], attributes: ("value", OnnxTensorValue.External("W_then_value", OnnxElementType.Float, [4], "then.bin", 0, 16)))
            .Output("W_then", OnnxElementType.Float, 4L);
        var elseBranch = new OnnxGraphBuilder("else_branch")
            .Node("Constant", [], ["W_else"], attributes: ("value", OnnxTensorValue.Float("W_else_value", [0f, 0f, 0f, 0f], 4)))
            .Output("W_else", OnnxElementType.Float, 4L);
        return new OnnxGraphBuilder("external_in_if")
            .Input("x", OnnxElementType.Float, "N", 4L)
            .Input("use_then", OnnxElementType.Bool, 1L)
            .Node("If", ["use_then"], ["W"], attributes: [("then_branch", thenBranch), ("else_branch", elseBranch)])
            .Node("Add", ["x", "W"], ["y"])
            .Output("y", OnnxElementType.Float, "N", 4L)
            .Build();
    }

    /// <summary>A model-local function (domain "custom") whose body's Constant node holds an external tensor.</summary>
    public static byte[] ExternalInFunction()
    {
        var body = new OnnxGraphBuilder("body")
            .Node("Constant", [], ["W"], attributes: ("value", OnnxTensorValue.External("W_value", OnnxElementType.Float, [4], "function.bin", 0, 16)))
            .Node("Add", ["fx", "W"], ["fy"]);
        return new OnnxGraphBuilder("external_in_function")
            .Function("custom", "AddSecret", ["fx"], ["fy"], body)
            .Input("x", OnnxElementType.Float, "N", 4L)
            .Node("AddSecret", ["x"], ["y"], "custom")
            .Output("y", OnnxElementType.Float, "N", 4L)
            .Build();
    }

    /// <summary>A plain Add model carrying a training_info whose initialization graph has an external initializer.</summary>
    public static byte[] ExternalInTrainingInfo()
    {
        var initialization = new OnnxGraphBuilder("initialization")
            .Initializer(OnnxTensorValue.External("W_training", OnnxElementType.Float, [4], "training.bin", 0, 16));
        return new OnnxGraphBuilder("external_in_training_info")
            .TrainingInitialization(initialization)
            .Input("x", OnnxElementType.Float, "N", 4L)
            .Initializer("W", [1f, 2f, 3f, 4f], 4)
            .Node("Add", ["x", "W"], ["y"])
            .Output("y", OnnxElementType.Float, "N", 4L)
            .Build();
    }

    /// <summary>
    /// "x" FP32 [1, 1] plus the sum of <paramref name="copies"/> ConstantOfShape(<paramref name="shape"/>) tensors of
    /// ones → "y" FP32 [1, 1]. A few hundred bytes on disk; each copy is 4 bytes per element of <paramref name="shape"/>
    /// in memory (folded at session creation when ONNX Runtime folds it, else allocated by the first run).
    /// </summary>
    public static byte[] ConstantOfShape(long[] shape, int copies = 1)
    {
        var builder = new OnnxGraphBuilder("constant_of_shape").Input("x", OnnxElementType.Float, 1L, 1L);
        var sum = "x";
        for (var i = 0; i < copies; i++)
        {
            builder.Initializer($"shape_{i}", shape, shape.Length)
                .Node("ConstantOfShape", [$"shape_{i}"], [$"big_{i}"], attributes: ("value", OnnxTensorValue.Float($"one_{i}", [1f], 1)))
                .Node("ReduceSum", [$"big_{i}"], [$"total_{i}"], attributes: ("keepdims", 0L))
                .Node("Add", [sum, $"total_{i}"], [$"sum_{i}"]);
            sum = $"sum_{i}";
        }

        return builder.Node("Identity", [sum], ["y"]).Output("y", OnnxElementType.Float, 1L, 1L).Build();
    }

    /// <summary>"x" FP32 ["N", last] + Expand(ones [1], <paramref name="shape"/>) → "y".</summary>
    public static byte[] Expand(long[] shape) => new OnnxGraphBuilder("expand")
        .Input("x", OnnxElementType.Float, "N", shape[^1])
        .Initializer("one", [1f], 1)
        .Initializer("shape", shape, shape.Length)
        .Node("Expand", ["one", "shape"], ["big"])
        .Node("Add", ["x", "big"], ["y"])
        .Output("y", OnnxElementType.Float, "A", "B")
        .Build();

    /// <summary>"x" FP32 ["N", 2·columnRepeats] + Tile(a [1, 2] constant, [rowRepeats, columnRepeats]) → "y".</summary>
    public static byte[] Tile(long rowRepeats, long columnRepeats) => new OnnxGraphBuilder("tile")
        .Input("x", OnnxElementType.Float, "N", 2L * columnRepeats)
        .Initializer("row", [1f, 2f], 1, 2)
        .Initializer("repeats", new[] { rowRepeats, columnRepeats }, 2)
        .Node("Tile", ["row", "repeats"], ["big"])
        .Node("Add", ["x", "big"], ["y"])
        .Output("y", OnnxElementType.Float, "A", "B")
        .Build();

    /// <summary>"x" FP32 ["N"] + Range(0, <paramref name="limit"/>, 1) (floats from Constant nodes) → "y".</summary>
    public static byte[] Range(float limit) => new OnnxGraphBuilder("range")
        .Input("x", OnnxElementType.Float, "N")
        .Node("Constant", [], ["start"], attributes: ("value", OnnxTensorValue.Float("start_value", [0f])))
        .Node("Constant", [], ["limit"], attributes: ("value_float", limit))
        .Node("Constant", [], ["delta"], attributes: ("value", OnnxTensorValue.Float("delta_value", [1f])))
        .Node("Range", ["start", "limit", "delta"], ["big"])
        .Node("Add", ["x", "big"], ["y"])
        .Output("y", OnnxElementType.Float, "N")
        .Build();

    /// <summary>
    /// A generator the static scan cannot see through: ConstantOfShape(Shape(W) · <paramref name="scale"/>) with W
    /// a 10 × 10 initializer, added to "x" FP32 ["N", 10·scale]. ONNX Runtime folds it into a
    /// (10·scale)² float initializer at session creation, so only the optimised model shows its size.
    /// </summary>
    public static byte[] FoldedGenerator(long scale) => new OnnxGraphBuilder("folded_generator")
        .Input("x", OnnxElementType.Float, "N", 10L * scale)
        .Initializer("W", new float[100], 10, 10)
        .Initializer("scale", new[] { scale, scale }, 2)
        .Node("Shape", ["W"], ["w_shape"])
        .Node("Mul", ["w_shape", "scale"], ["big_shape"])
        .Node("ConstantOfShape", ["big_shape"], ["big"], attributes: ("value", OnnxTensorValue.Float("one", [1f], 1)))
        .Node("Add", ["x", "big"], ["y"])
        .Output("y", OnnxElementType.Float, 10L * scale, 10L * scale)
        .Build();

    /// <summary>"x" FP32 with fixed dims [<paramref name="rows"/>, <paramref name="columns"/>] → Identity → "y".</summary>
    public static byte[] FixedInput(long rows, long columns) => new OnnxGraphBuilder("fixed_input")
        .Input("x", OnnxElementType.Float, rows, columns)
        .Node("Identity", ["x"], ["y"])
        .Output("y", OnnxElementType.Float, rows, columns)
        .Build();

    /// <summary>
    /// Not a loadable model: a ModelProto whose graph holds an If node whose then-branch holds an If node ...
    /// <paramref name="depth"/> graphs deep (three messages per level), written without recursion.
    /// </summary>
    public static byte[] NestedSubgraphs(int depth)
    {
        // Each level wraps the inner graph: graph { node (1) { op_type (4) "If"; attribute (5) { name (1); g (6) inner } } }.
        var attributeName = Field(1, "then_branch"u8);
        var opType = Field(4, "If"u8);
        var innermost = Field(2, "leaf"u8);
        var sizes = new long[depth + 1];
        sizes[0] = innermost.Length;
        for (var i = 1; i <= depth; i++)
        {
            var attribute = attributeName.Length + TagAndLength(6, sizes[i - 1]) + sizes[i - 1];
            var node = opType.Length + TagAndLength(5, attribute) + attribute;
            sizes[i] = TagAndLength(1, node) + node;
        }

        var output = new MemoryStream();
        output.Write([0x08, 0x08]); // ir_version (field 1, varint) = 8
        WriteTagAndLength(output, 7, sizes[depth]);
        for (var i = depth; i >= 1; i--)
        {
            var attribute = attributeName.Length + TagAndLength(6, sizes[i - 1]) + sizes[i - 1];
            var node = opType.Length + TagAndLength(5, attribute) + attribute;
            WriteTagAndLength(output, 1, node);
            output.Write(opType);
            WriteTagAndLength(output, 5, attribute);
            output.Write(attributeName);
            WriteTagAndLength(output, 6, sizes[i - 1]);
        }

        output.Write(innermost);
        return output.ToArray();
    }

    private static byte[] AddToInput(OnnxGraphBuilder builder, string weights) => builder
        .Input("x", OnnxElementType.Float, "N", 4L)
        .Node("Add", ["x", weights], ["y"])
        .Output("y", OnnxElementType.Float, "N", 4L)
        .Build();

    private static byte[] Field(int field, ReadOnlySpan<byte> value)
    {
        var writer = new ProtoWriter();
        writer.WriteBytes(field, value);
        return writer.ToArray();
    }

    private static long TagAndLength(int field, long length)
    {
        var stream = new MemoryStream();
        WriteTagAndLength(stream, field, length);
        return stream.Length;
    }

    private static void WriteTagAndLength(Stream stream, int field, long length)
    {
        WriteVarint(stream, ((ulong)field << 3) | 2);
        WriteVarint(stream, (ulong)length);
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }
}
