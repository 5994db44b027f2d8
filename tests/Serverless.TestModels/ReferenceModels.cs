namespace Serverless.TestModels;

/// <summary>
/// Small ONNX models, generated in code, that exercise the serving path: every protocol datatype, dense
/// arithmetic, a run-time failure, a non-tensor (ZipMap) output, fixed dimensions and tabular models (per-feature
/// inputs with categorical strings, multiclass with ZipMap, regression; manifests in <see cref="ReferenceManifests"/>).
/// Deterministic; thread-safe.
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

    /// <summary>
    /// "image" FP32 ["N", 3, 8, 8] → Identity → "features" FP32 ["N", 3, 8, 8]: a stand-in for an image model, whose
    /// rank-4 tensors the inference log summarises per request rather than copies per row.
    /// </summary>
    public static byte[] ImageIdentity() => new OnnxGraphBuilder("image_identity")
        .Input("image", OnnxElementType.Float, "N", 3L, 8L, 8L)
        .Node("Identity", ["image"], ["features"])
        .Output("features", OnnxElementType.Float, "N", 3L, 8L, 8L)
        .Build();

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

    /// <summary>The cities <see cref="PerFeatureBinaryClassifier"/> knows, in the order of their codes 0, 1, 2.</summary>
    public static readonly IReadOnlyList<string> Cities = ["Oslo", "Bergen", "Trondheim"];

    /// <summary>
    /// A per-feature binary classifier as ML.NET or skl2onnx export one: "age" FP32 ["N", 1] and "city" BYTES ["N", 1]
    /// (LabelEncoder → code 0..2, -1 for an unknown city) → p = Sigmoid(0.04·age + 0.9·code − 2.5) →
    /// "probability" FP32 ["N", 1] (positive class) and "probabilities" FP32 ["N", 2] ([1 − p, p]).
    /// </summary>
    public static byte[] PerFeatureBinaryClassifier() => new OnnxGraphBuilder("per_feature_binary")
        .Input("age", OnnxElementType.Float, "N", 1L)
        .Input("city", OnnxElementType.String, "N", 1L)
        .Initializer("W", [0.04f, 0.9f], 2, 1)
        .Initializer("bias", [-2.5f], 1)
        .Initializer("one", [1f], 1)
        .Node("LabelEncoder", ["city"], ["city_code"], OnnxGraphBuilder.MlDomain,
            ("keys_strings", Cities.ToArray()), ("values_int64s", new long[] { 0, 1, 2 }), ("default_int64", -1L))
        .Node("Cast", ["city_code"], ["city_value"], attributes: ("to", (long)OnnxElementType.Float))
        .Node("Concat", ["age", "city_value"], ["features"], attributes: ("axis", 1L))
        .Node("MatMul", ["features", "W"], ["logits_raw"])
        .Node("Add", ["logits_raw", "bias"], ["logits"])
        .Node("Sigmoid", ["logits"], ["probability"])
        .Node("Sub", ["one", "probability"], ["negative"])
        .Node("Concat", ["negative", "probability"], ["probabilities"], attributes: ("axis", 1L))
        .Output("probability", OnnxElementType.Float, "N", 1L)
        .Output("probabilities", OnnxElementType.Float, "N", 2L)
        .Build();

    /// <summary>The class labels <see cref="ZipMapMulticlassClassifier"/> gives ZipMap, in probability-column order (not alphabetical).</summary>
    public static readonly IReadOnlyList<string> Animals = ["cat", "ant", "bee"];

    /// <summary>
    /// A multiclass classifier as skl2onnx exports one: "input" FP64 ["N", 3] → Cast → MatMul + Add → Softmax →
    /// "probabilities" FP32 ["N", 3], ZipMap keyed by <see cref="Animals"/> → "output_probability"
    /// sequence(map(string, float)) (ONNX Runtime orders the keys alphabetically), and ArgMax → "label" INT64 ["N"].
    /// </summary>
    public static byte[] ZipMapMulticlassClassifier() => new OnnxGraphBuilder("zipmap_multiclass")
        .Input("input", OnnxElementType.Double, "N", 3L)
        .Initializer("W", [1.0f, -0.5f, 0.2f, -0.3f, 0.8f, 0.1f, 0.5f, 0.4f, -0.9f], 3, 3)
        .Initializer("bias", [0.1f, -0.2f, 0.05f], 3)
        .Node("Cast", ["input"], ["input_float"], attributes: ("to", (long)OnnxElementType.Float))
        .Node("MatMul", ["input_float", "W"], ["logits_raw"])
        .Node("Add", ["logits_raw", "bias"], ["logits"])
        .Node("Softmax", ["logits"], ["probabilities"], attributes: ("axis", 1L))
        .Node("ArgMax", ["probabilities"], ["label"], attributes: [("axis", 1L), ("keepdims", 0L)])
        .Node("ZipMap", ["probabilities"], ["output_probability"], OnnxGraphBuilder.MlDomain, ("classlabels_strings", Animals.ToArray()))
        .Output("label", OnnxElementType.Int64, "N")
        .Output("probabilities", OnnxElementType.Float, "N", 3L)
        .SequenceOfMapOutput("output_probability", OnnxElementType.String, OnnxElementType.Float)
        .Build();

    /// <summary>The districts <see cref="PerFeatureRegression"/> knows, codes 0 and 1.</summary>
    public static readonly IReadOnlyList<string> Districts = ["north", "south"];

    /// <summary>
    /// A per-feature regression: "rooms" INT64 ["N", 1], "area" FP64 ["N", 1], "district" BYTES ["N"] (rank 1) →
    /// 10·rooms + 2.5·area + 30·code + 50 → "variable" FP32 ["N", 1] (ML.NET and skl2onnx call it so).
    /// </summary>
    public static byte[] PerFeatureRegression() => new OnnxGraphBuilder("per_feature_regression")
        .Input("rooms", OnnxElementType.Int64, "N", 1L)
        .Input("area", OnnxElementType.Double, "N", 1L)
        .Input("district", OnnxElementType.String, "N")
        .Initializer("W", [10f, 2.5f, 30f], 3, 1)
        .Initializer("bias", [50f], 1)
        .Initializer("unsqueeze_axes", new long[] { 1 }, 1)
        .Node("Cast", ["rooms"], ["rooms_float"], attributes: ("to", (long)OnnxElementType.Float))
        .Node("Cast", ["area"], ["area_float"], attributes: ("to", (long)OnnxElementType.Float))
        .Node("LabelEncoder", ["district"], ["district_code"], OnnxGraphBuilder.MlDomain,
            ("keys_strings", Districts.ToArray()), ("values_int64s", new long[] { 0, 1 }), ("default_int64", -1L))
        .Node("Cast", ["district_code"], ["district_flat"], attributes: ("to", (long)OnnxElementType.Float))
        .Node("Unsqueeze", ["district_flat", "unsqueeze_axes"], ["district_value"])
        .Node("Concat", ["rooms_float", "area_float", "district_value"], ["features"], attributes: ("axis", 1L))
        .Node("MatMul", ["features", "W"], ["raw"])
        .Node("Add", ["raw", "bias"], ["variable"])
        .Output("variable", OnnxElementType.Float, "N", 1L)
        .Build();

    /// <summary>Every reference model, built with its default arguments, with the name of the method that builds it.</summary>
    public static IReadOnlyList<(string Name, byte[] Model)> All() =>
    [
        (nameof(AllDatatypesIdentity), AllDatatypesIdentity()),
        (nameof(LogisticRegression), LogisticRegression()),
        (nameof(Mlp), Mlp()),
        (nameof(AddAndMultiply), AddAndMultiply()),
        (nameof(ReshapeModel), ReshapeModel()),
        (nameof(ZipMapClassifier), ZipMapClassifier()),
        (nameof(FixedShape), FixedShape()),
        (nameof(PerFeatureBinaryClassifier), PerFeatureBinaryClassifier()),
        (nameof(ZipMapMulticlassClassifier), ZipMapMulticlassClassifier()),
        (nameof(PerFeatureRegression), PerFeatureRegression()),
    ];

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
