using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Onnx;
using Serverless.TestModels;

namespace Serverless.Tests.TestModels;

public sealed class ReferenceModelsTests
{
    public static TheoryData<string> ModelNames => new("AllDatatypesIdentity", "LogisticRegression", "Mlp", "AddAndMultiply", "ReshapeModel", "ZipMapClassifier", "FixedShape");

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Build_EveryReferenceModel_LoadsInOnnxRuntime(string name)
    {
        using var session = new InferenceSession(Build(name));

        Assert.NotEmpty(session.InputNames);
        Assert.NotEmpty(session.OutputNames);
    }

    [Fact]
    public void AllDatatypesIdentity_Signature_HasAnInputAndOutputPerDatatypeWithDynamicBatch()
    {
        using var session = new InferenceSession(ReferenceModels.AllDatatypesIdentity());

        var signature = SignatureReader.Read(session);

        Assert.Equal(ReferenceModels.OipDatatypes.Count, signature.Inputs.Count);
        foreach (var (datatype, _) in ReferenceModels.OipDatatypes)
        {
            var input = Assert.Single(signature.Inputs, i => i.Name == ReferenceModels.IdentityInputName(datatype));
            Assert.Equal(datatype, input.Datatype);
            Assert.Equal([-1L, 2L], input.Shape);
            var output = Assert.Single(signature.Outputs, o => o.Name == ReferenceModels.IdentityOutputName(datatype));
            Assert.Equal(datatype, output.Datatype);
        }
    }

    [Fact]
    public void ZipMapClassifier_Signature_ReportsTheMapOutputAsBytes()
    {
        using var session = new InferenceSession(ReferenceModels.ZipMapClassifier());

        var signature = SignatureReader.Read(session);

        var output = Assert.Single(signature.Outputs, o => o.Name == "output_probability");
        Assert.Equal("BYTES", output.Datatype);
        Assert.False(session.OutputMetadata["output_probability"].IsTensor);
    }

    [Fact]
    public void FixedShape_Signature_HasNoFreeDimension()
    {
        using var session = new InferenceSession(ReferenceModels.FixedShape());

        Assert.Equal([1L, 4L], Assert.Single(SignatureReader.Read(session).Inputs).Shape);
    }

    [Fact]
    public void LogisticRegression_SameSeed_IsByteIdentical()
    {
        Assert.Equal(ReferenceModels.LogisticRegression(seed: 3), ReferenceModels.LogisticRegression(seed: 3));
        Assert.NotEqual(ReferenceModels.LogisticRegression(seed: 3), ReferenceModels.LogisticRegression(seed: 4));
    }

    [Fact]
    public void Mlp_DefaultSize_HasTheDeclaredInputAndOutputWidths()
    {
        using var session = new InferenceSession(ReferenceModels.Mlp());

        var signature = SignatureReader.Read(session);

        Assert.Equal([-1L, 64L], Assert.Single(signature.Inputs).Shape);
        Assert.Equal([-1L, 1L], Assert.Single(signature.Outputs).Shape);
    }

    [Fact]
    public void Initializer_ValueCountNotMatchingDims_Throws()
    {
        var builder = new OnnxGraphBuilder();

        Assert.Throws<ArgumentException>(() => builder.Initializer("w", new float[5], 2, 3));
    }

    [Fact]
    public void Node_UnsupportedAttributeValue_Throws()
    {
        var builder = new OnnxGraphBuilder();

        Assert.Throws<ArgumentException>(() => builder.Node("Identity", ["x"], ["y"], null, ("bad", DateTime.UtcNow)));
    }

    [Fact]
    public void Builder_AttributesOfEveryKind_LoadInOnnxRuntime()
    {
        // Constant accepts exactly one value attribute; each model carries one kind so ONNX Runtime parses every encoding.
        (string Name, object Value)[] attributes =
        [
            ("value_float", 2.5f),
            ("value_int", 7L),
            ("value_floats", new[] { 1f, 2f }),
            ("value_ints", new[] { 3L, 4L }),
            ("value_string", "hello"),
            ("value_strings", new[] { "a", "b" }),
        ];
        foreach (var attribute in attributes)
        {
            var bytes = new OnnxGraphBuilder()
                .Input("x", OnnxElementType.Float, 1L)
                .Node("Constant", [], ["c"], null, attribute)
                .Node("Identity", ["x"], ["y"])
                .Output("c", ElementTypeOf(attribute.Value))
                .Output("y", OnnxElementType.Float, 1L)
                .Build();
            using var session = new InferenceSession(bytes);
            using var x = OrtValue.CreateTensorValueFromMemory(new[] { 1f }, [1]);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, ["x"], [x], ["c"]);
            Assert.Equal(ExpectedText(attribute.Value), Describe(results[0]));
        }
    }

    [Fact]
    public void ProtoWriter_Varint_UsesSevenBitGroupsLowFirst()
    {
        var writer = new ProtoWriter();

        writer.WriteInt64(1, 300);
        writer.WriteInt64(2, -1);

        Assert.Equal(
            new byte[] { 0x08, 0xAC, 0x02, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 },
            writer.ToArray());
    }

    private static OnnxElementType ElementTypeOf(object value) => value switch
    {
        float or float[] => OnnxElementType.Float,
        long or long[] => OnnxElementType.Int64,
        _ => OnnxElementType.String,
    };

    private static string ExpectedText(object value) => value switch
    {
        float[] floats => string.Join(",", floats),
        long[] longs => string.Join(",", longs),
        string[] strings => string.Join(",", strings),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    };

    private static string Describe(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        return info.ElementDataType switch
        {
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => string.Join(",", value.GetTensorDataAsSpan<float>().ToArray()),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => string.Join(",", value.GetTensorDataAsSpan<long>().ToArray()),
            _ => string.Join(",", Enumerable.Range(0, (int)info.ElementCount).Select(value.GetStringElement)),
        };
    }

    private static byte[] Build(string name) => name switch
    {
        "AllDatatypesIdentity" => ReferenceModels.AllDatatypesIdentity(),
        "LogisticRegression" => ReferenceModels.LogisticRegression(),
        "Mlp" => ReferenceModels.Mlp(),
        "AddAndMultiply" => ReferenceModels.AddAndMultiply(),
        "ReshapeModel" => ReferenceModels.ReshapeModel(),
        "ZipMapClassifier" => ReferenceModels.ZipMapClassifier(),
        "FixedShape" => ReferenceModels.FixedShape(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name),
    };
}
