using System.Text.Json;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

/// <summary>
/// The binary tensor extension against the JSON path: the same tensors in either form give the same answer, and
/// binary outputs hold exactly the bytes of the JSON outputs' values, for every datatype.
/// </summary>
public sealed class BinaryRoundTripTests
{
    [Fact]
    public void Infer_EveryDatatypeAsBinaryOutputThenBinaryInput_AnswersAsTheJsonRequest()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());
        var jsonRequest = IdentityRequests.Build();
        var jsonAnswer = model.Infer(jsonRequest);

        // JSON in, every output as binary: the identity model hands back each input's raw bytes.
        var binaryOut = model.InferBinary(System.Text.Encoding.UTF8.GetBytes(WithParameters(jsonRequest, """{"binary_data_output":true}""")), -1);

        // Those bytes as binary inputs, JSON out: the answer is the JSON request's answer.
        var inputs = ReferenceModels.OipDatatypes.Select(d => (Name: ReferenceModels.IdentityInputName(d.Datatype), d.Datatype,
            Bytes: binaryOut.OutputBytes(ReferenceModels.IdentityOutputName(d.Datatype)))).ToList();
        var (body, headerLength) = BinaryInfer.Body(
            InferJson.Request([.. inputs.Select(i => BinaryInfer.Input(i.Name, i.Datatype, [2, 2], i.Bytes.Length))]), [.. inputs.Select(i => i.Bytes)]);
        var binaryIn = model.InferBinary(body, headerLength);

        Assert.Equal(-1, binaryIn.HeaderLength);
        Assert.Equal(Outputs(jsonAnswer), Outputs(binaryIn.Json));
    }

    [Fact]
    public void Infer_BinaryDataOutput_WritesSizesInsteadOfDataAndTheBytesAfterTheJson()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var request = InferJson.Request(InferJson.Input("a", "FP32", [2, 3], "[[1,2,3],[4,5,6]]"), InferJson.Input("b", "FP32", [2, 3], "[1,1,1,2,2,2]"));
        var jsonAnswer = model.Infer(request);

        var answer = model.InferBinary(System.Text.Encoding.UTF8.GetBytes(WithParameters(request, """{"binary_data_output":true}""")), -1);

        Assert.True(answer.HeaderLength > 0);
        foreach (var output in answer.Json.GetProperty("outputs").EnumerateArray())
        {
            Assert.False(output.TryGetProperty("data", out _));
            Assert.Equal(24, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
            var name = output.GetProperty("name").GetString()!;
            Assert.Equal(ResponseJson.Floats(ResponseJson.Output(jsonAnswer, name)), BinaryInfer.ToFloats(answer.OutputBytes(name)));
        }

        Assert.Equal(48, answer.Binary.Length);
        Assert.Equal(jsonAnswer.GetProperty("model_name").GetString(), answer.Json.GetProperty("model_name").GetString());
    }

    [Fact]
    public void Infer_OneOutputAskedAsBinary_LeavesTheOtherJson()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var request = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[1,1,1]"));
        request = request[..^1] + ""","outputs":[{"name":"product"},{"name":"sum","parameters":{"binary_data":true}}]}""";

        var answer = model.InferBinary(System.Text.Encoding.UTF8.GetBytes(request), -1);

        Assert.Equal([2f, 3f, 4f], BinaryInfer.ToFloats(answer.OutputBytes("sum")));
        Assert.Equal([1f, 2f, 3f], ResponseJson.Floats(ResponseJson.Output(answer.Json, "product")));
        Assert.Equal(12, answer.Binary.Length);
    }

    [Fact]
    public void Infer_OutputBinaryDataFalse_OverridesTheRequestsDefault()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var request = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[1,1,1]"));
        request = request[..^1] + ""","parameters":{"binary_data_output":true},"outputs":[{"name":"product","parameters":{"binary_data":false}},{"name":"sum"}]}""";

        var answer = model.InferBinary(System.Text.Encoding.UTF8.GetBytes(request), -1);

        Assert.Equal([2f, 3f, 4f], BinaryInfer.ToFloats(answer.OutputBytes("sum")));
        Assert.Equal([1f, 2f, 3f], ResponseJson.Floats(ResponseJson.Output(answer.Json, "product")));
    }

    [Fact]
    public void Infer_BinaryDataOutputFalse_AnswersAllJson()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var request = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[1,1,1]"));

        var answer = model.InferBinary(System.Text.Encoding.UTF8.GetBytes(WithParameters(request, """{"binary_data_output":false,"other":[1,{"x":2}]}""")), -1);

        Assert.Equal(-1, answer.HeaderLength);
        Assert.Empty(answer.Binary);
    }

    [Fact]
    public void Infer_BytesOutputAsBinary_IsLengthPrefixedUtf8()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());
        var request = InferJson.AskingFor(IdentityRequests.With("BYTES", """["a","","ü","xyz"]"""), "y_bytes");
        request = request[..^3] + ""","parameters":{"binary_data":true}}]}""";

        var answer = model.InferBinary(System.Text.Encoding.UTF8.GetBytes(request), -1);

        Assert.Equal(BinaryInfer.Strings("a", "", "ü", "xyz"), answer.OutputBytes("y_bytes"));
    }

    [Fact]
    public void Infer_NonTensorOutputAskedAsBinary_StaysJson()
    {
        using var model = TestModel.Load(ReferenceModels.ZipMapClassifier());
        var request = InferJson.Request(InferJson.Input("input", "FP32", [1, 3], "[1,2,3]"));

        var answer = model.InferBinary(System.Text.Encoding.UTF8.GetBytes(WithParameters(request, """{"binary_data_output":true}""")), -1);

        Assert.Equal(3, BinaryInfer.ToFloats(answer.OutputBytes("probabilities")).Length);
        Assert.Equal(JsonValueKind.Array, ResponseJson.Output(answer.Json, "output_probability").GetProperty("data").ValueKind);
        Assert.Equal(12, answer.Binary.Length);
    }

    private static string WithParameters(string request, string parameters) => request[..^1] + $$""","parameters":{{parameters}}}""";

    /// <summary>The outputs array as text, in a stable order.</summary>
    private static string[] Outputs(JsonElement answer) =>
        [.. answer.GetProperty("outputs").EnumerateArray().Select(o => o.GetRawText()).Order(StringComparer.Ordinal)];
}
