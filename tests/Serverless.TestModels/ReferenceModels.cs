namespace Serverless.TestModels;

/// <summary>
/// Small ONNX models, generated in code, that exercise the serving path: every protocol datatype, dense
/// arithmetic, a run-time failure, a non-tensor (ZipMap) output and fixed dimensions. Deterministic; thread-safe.
/// </summary>
public static class ReferenceModels
{
    /// <summary>Every OIP datatype the Identity model covers, with its ONNX element type.</summary>
    public static readonly IReadOnlyList<(string Datatype, OnnxElementType Type)> OipDatatypes =
    [
        ("BOOL", OnnxElementType.Bool),
        ("UINT8", OnnxElementType.UInt8),
        ("UINT16", OnnxElementType.UInt16),
        ("UINT32", OnnxElementType.UInt32),
        ("UINT64", OnnxElementType.UInt64),
        ("INT8", OnnxElementType.Int8),
        ("INT16", OnnxElementType.Int16),
        ("INT32", OnnxElementType.Int32),
        ("INT64", OnnxElementType.Int64),
        ("FP16", OnnxElementType.Float16),
        ("FP32", OnnxElementType.Float),
        ("FP64", OnnxElementType.Double),
        ("BYTES", OnnxElementType.String),
    ];

    /// <summary>The input name AllDatatypesIdentity uses for an OIP datatype, such as "x_fp32".</summary>
    public static string IdentityInputName(string datatype) => "x_" + datatype.ToLowerInvariant();

    /// <summary>The output name AllDatatypesIdentity uses for an OIP datatype, such as "y_fp32".</summary>
    public static string IdentityOutputName(string datatype) => "y_" + datatype.ToLowerInvariant();

    /// <summary>For each datatype, <c>x_{datatype}</c> ["N", 2] → Identity → <c>y_{datatype}</c>.</summary>
    public static byte[] AllDatatypesIdentity()
    {
        var builder = new OnnxGraphBuilder("all_datatypes_identity");
        foreach (var (datatype, type) in OipDatatypes)
        {
            var input = IdentityInputName(datatype);
            var output = IdentityOutputName(datatype);
            builder.Input(input, type, "N", 2L)
                .Node("Identity", [input], [output])
                .Output(output, type, "N", 2L);
        }

        return builder.Build();
    }

    /// <summary>"input" FP32 ["N", features] → MatMul W → Add bias → Sigmoid → "probability" FP32 ["N", 1].</summary>
    public static byte[] LogisticRegression(int features = 10, int seed = 1)
    {
        var random = new Random(seed);
        return new OnnxGraphBuilder("logistic_regression")
            .Input("input", OnnxElementType.Float, "N", (long)features)
            .Initializer("W", Uniform(random, features, 1.0f), features, 1)
            .Initializer("bias", Uniform(random, 1, 1.0f), 1)
            .Node("MatMul", ["input", "W"], ["logits_raw"])
            .Node("Add", ["logits_raw", "bias"], ["logits"])
            .Node("Sigmoid", ["logits"], ["probability"])
            .Output("probability", OnnxElementType.Float, "N", 1L)
            .Build();
    }

    /// <summary>"input" FP32 ["N", inputs] → Gemm → Relu → Gemm → Relu → Gemm → "output" FP32 ["N", outputs].</summary>
    public static byte[] Mlp(int inputs = 64, int hidden1 = 256, int hidden2 = 256, int outputs = 1, int seed = 1)
    {
        var random = new Random(seed);
        var builder = new OnnxGraphBuilder("mlp").Input("input", OnnxElementType.Float, "N", (long)inputs);
        AddDenseLayer(builder, random, "layer1", "input", "hidden1_raw", inputs, hidden1);
        builder.Node("Relu", ["hidden1_raw"], ["hidden1"]);
        AddDenseLayer(builder, random, "layer2", "hidden1", "hidden2_raw", hidden1, hidden2);
        builder.Node("Relu", ["hidden2_raw"], ["hidden2"]);
        AddDenseLayer(builder, random, "layer3", "hidden2", "output", hidden2, outputs);
        return builder.Output("output", OnnxElementType.Float, "N", (long)outputs).Build();
    }

    /// <summary>"a", "b" FP32 ["N", 3] → "sum" (a + b) and "product" (a * b).</summary>
    public static byte[] AddAndMultiply() => new OnnxGraphBuilder("add_and_multiply")
        .Input("a", OnnxElementType.Float, "N", 3L)
        .Input("b", OnnxElementType.Float, "N", 3L)
        .Node("Add", ["a", "b"], ["sum"])
        .Node("Mul", ["a", "b"], ["product"])
        .Output("sum", OnnxElementType.Float, "N", 3L)
        .Output("product", OnnxElementType.Float, "N", 3L)
        .Build();

    /// <summary>
    /// "x" FP32 ["N", 6] reshaped to the INT64 [2] "shape" input → "y" FP32 ["A", "B"]. A shape whose product
    /// is not the element count (such as [4, 4] for one row) passes the protocol checks but fails in ONNX Runtime.
    /// </summary>
    public static byte[] ReshapeModel() => new OnnxGraphBuilder("reshape")
        .Input("x", OnnxElementType.Float, "N", 6L)
        .Input("shape", OnnxElementType.Int64, 2L)
        .Node("Reshape", ["x", "shape"], ["y"])
        .Output("y", OnnxElementType.Float, "A", "B")
        .Build();

    /// <summary>
    /// "input" FP32 ["N", classes] → Softmax → "probabilities" FP32 ["N", classes], and ZipMap over the softmax →
    /// "output_probability" sequence(map(int64, float)) keyed by class labels 0..classes-1.
    /// </summary>
    public static byte[] ZipMapClassifier(int classes = 3) => new OnnxGraphBuilder("zipmap_classifier")
        .Input("input", OnnxElementType.Float, "N", (long)classes)
        .Node("Softmax", ["input"], ["probabilities"], attributes: ("axis", 1L))
        .Node("ZipMap", ["probabilities"], ["output_probability"], OnnxGraphBuilder.MlDomain,
            ("classlabels_int64s", Enumerable.Range(0, classes).Select(c => (long)c).ToArray()))
        .Output("probabilities", OnnxElementType.Float, "N", (long)classes)
        .SequenceOfMapOutput("output_probability", OnnxElementType.Int64, OnnxElementType.Float)
        .Build();

    /// <summary>"x" FP32 [1, 4] (no free dimension) → Identity → "y" FP32 [1, 4].</summary>
    public static byte[] FixedShape() => new OnnxGraphBuilder("fixed_shape")
        .Input("x", OnnxElementType.Float, 1L, 4L)
        .Node("Identity", ["x"], ["y"])
        .Output("y", OnnxElementType.Float, 1L, 4L)
        .Build();

    /// <summary>Gemm(input, W [fanIn, fanOut], b [fanOut]) with weights uniform in ±1/sqrt(fanIn).</summary>
    private static void AddDenseLayer(OnnxGraphBuilder builder, Random random, string prefix, string input, string output, int fanIn, int fanOut)
    {
        var scale = 1.0f / MathF.Sqrt(fanIn);
        builder.Initializer($"{prefix}_W", Uniform(random, fanIn * fanOut, scale), fanIn, fanOut)
            .Initializer($"{prefix}_b", Uniform(random, fanOut, scale), fanOut)
            .Node("Gemm", [input, $"{prefix}_W", $"{prefix}_b"], [output]);
    }

    private static float[] Uniform(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ((random.NextSingle() * 2) - 1) * scale;
        }

        return values;
    }
}
