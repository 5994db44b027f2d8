using Serverless.Core.Errors;
using Serverless.Core.Protocol;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

/// <summary>The binary tensor extension's requests: every way a JSON header length or a binary_data_size can lie is a 400 naming it.</summary>
public sealed class BinaryRequestTests
{
    private static readonly byte[] A = BinaryInfer.Floats(1, 2, 3);
    private static readonly byte[] B = BinaryInfer.Floats(10, 20, 30);

    private static string TwoBinaryInputs(long sizeA = 12, long sizeB = 12) =>
        InferJson.Request(BinaryInfer.Input("a", "FP32", [1, 3], sizeA), BinaryInfer.Input("b", "FP32", [1, 3], sizeB));

    [Fact]
    public void Infer_BinaryInputs_RunLikeJson()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var (body, headerLength) = BinaryInfer.Body(TwoBinaryInputs(), A, B);

        var answer = model.InferBinary(body, headerLength);

        Assert.Equal(-1, answer.HeaderLength);
        Assert.Equal([11f, 22f, 33f], ResponseJson.Floats(ResponseJson.Output(answer.Json, "sum")));
        Assert.Equal([10f, 40f, 90f], ResponseJson.Floats(ResponseJson.Output(answer.Json, "product")));
    }

    [Fact]
    public void Infer_BinaryAndJsonInputsMixed_TakeBytesOnlyForTheBinaryOne()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), BinaryInfer.Input("b", "FP32", [1, 3], 12));
        var (body, headerLength) = BinaryInfer.Body(json, B);

        var answer = model.InferBinary(body, headerLength);

        Assert.Equal([11f, 22f, 33f], ResponseJson.Floats(ResponseJson.Output(answer.Json, "sum")));
    }

    [Fact]
    public void Infer_HeaderLongerThanTheBody_IsBadRequestNamingTheHeader()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var (body, headerLength) = BinaryInfer.Body(TwoBinaryInputs(), A, B);

        var error = model.InferBinaryBadRequest((body, body.Length + 1L));

        Assert.Contains(BinaryTensorData.HeaderName, error.Message);
        Assert.Contains($"only {body.Length}", error.Message);
        Assert.True(headerLength < body.Length);
    }

    [Fact]
    public void Infer_HeaderCuttingTheJson_IsBadRequestSayingTheJsonHeaderIsInvalid()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var (body, headerLength) = BinaryInfer.Body(TwoBinaryInputs(), A, B);

        var error = model.InferBinaryBadRequest((body, headerLength - 5));

        Assert.Contains("JSON header", error.Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("1.5")]
    [InlineData("12,13")]
    [InlineData("+12")]
    [InlineData("99999999999999999999999")]
    public void ParseHeaderLength_NotANonNegativeInteger_IsBadRequestNamingTheHeader(string value)
    {
        var error = Assert.Throws<ServingException>(() => BinaryTensorData.ParseHeaderLength(value));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(BinaryTensorData.HeaderName, error.Message);
    }

    [Fact]
    public void ParseHeaderLength_LongValue_IsQuotedCut()
    {
        var error = Assert.Throws<ServingException>(() => BinaryTensorData.ParseHeaderLength(new string('x', 10_000)));

        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public void ParseHeaderLength_AbsentOrNumber_IsMinusOneOrTheNumber()
    {
        Assert.Equal(-1, BinaryTensorData.ParseHeaderLength(null));
        Assert.Equal(0, BinaryTensorData.ParseHeaderLength("0"));
        Assert.Equal(123, BinaryTensorData.ParseHeaderLength("123"));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(0)]
    public void Infer_SizeNotTheShapesByteCount_IsBadRequestNamingTheInputAndTheNeed(long sizeA)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var bytes = new byte[sizeA];

        var error = model.InferBinaryBadRequest(BinaryInfer.Body(TwoBinaryInputs(sizeA: sizeA), bytes, B));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("3 × 4 = 12", error.Message);
    }

    [Fact]
    public void Infer_SizeLargerThanTheBytesLeft_IsBadRequestNamingTheInput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBinaryBadRequest(BinaryInfer.Body(TwoBinaryInputs(sizeB: 1_000_000_000_000), A, B));

        Assert.Contains("'b'", error.Message);
        Assert.Contains("only 12 byte(s)", error.Message);
    }

    [Fact]
    public void Infer_BytesLeftOverAfterTheInputs_IsBadRequestGivingBothCounts()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBinaryBadRequest(BinaryInfer.Body(TwoBinaryInputs(), A, B, [1, 2, 3]));

        Assert.Contains("27 byte(s)", error.Message);
        Assert.Contains("add up to 24", error.Message);
    }

    [Fact]
    public void Infer_HeaderWithJsonInputsAndTrailingBytes_IsBadRequest()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[1,2,3]"));

        var error = model.InferBinaryBadRequest(BinaryInfer.Body(json, [0]));

        Assert.Contains("add up to 0", error.Message);
    }

    [Fact]
    public void Infer_HeaderWithJsonInputsOnly_IsServed()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[1,2,3]"));
        var (body, headerLength) = BinaryInfer.Body(json);

        var answer = model.InferBinary(body, headerLength);

        Assert.Equal([2f, 4f, 6f], ResponseJson.Floats(ResponseJson.Output(answer.Json, "sum")));
    }

    [Fact]
    public void Infer_BothDataAndBinaryDataSize_IsBadRequestNamingTheInput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(
            """{"name":"a","datatype":"FP32","shape":[1,3],"data":[1,2,3],"parameters":{"binary_data_size":12}}""", BinaryInfer.Input("b", "FP32", [1, 3], 12));

        var error = model.InferBinaryBadRequest(BinaryInfer.Body(json, A, B));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("both", error.Message);
    }

    [Theory]
    [InlineData("-12")]
    [InlineData("\"12\"")]
    [InlineData("12.5")]
    [InlineData("null")]
    public void Infer_BinaryDataSizeNotANonNegativeInteger_IsBadRequestNamingTheInput(string size)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(
            $$$"""{"name":"a","datatype":"FP32","shape":[1,3],"parameters":{"binary_data_size":{{{size}}}}}""", BinaryInfer.Input("b", "FP32", [1, 3], 12));

        var error = model.InferBinaryBadRequest(BinaryInfer.Body(json, A, B));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("binary_data_size", error.Message);
    }

    [Fact]
    public void Infer_BinaryDataSizeWithoutTheHeader_IsBadRequestNamingTheHeader()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var (body, _) = BinaryInfer.Body(TwoBinaryInputs(), A, B);

        var error = model.InferBinaryBadRequest((body, -1));

        Assert.Contains("'a'", error.Message);
        Assert.Contains(BinaryTensorData.HeaderName, error.Message);
    }

    [Fact]
    public void Infer_ShapeOverflowingWithABinarySize_IsBadRequestBeforeAllocating()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(BinaryInfer.Input("a", "FP32", [1L << 40, 3], 12), BinaryInfer.Input("b", "FP32", [1, 3], 12));

        var error = model.InferBinaryBadRequest(BinaryInfer.Body(json, A, B));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("binary_data_size is 12", error.Message);
    }

    [Fact]
    public void Infer_BoolByteOtherThanZeroOrOne_IsBadRequestNamingTheElement()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());
        var (body, headerLength) = IdentityBody("BOOL", [1, 0, 2, 1]);

        var error = model.InferBinaryBadRequest((body, headerLength));

        Assert.Contains("'x_bool'", error.Message);
        Assert.Contains("element 2", error.Message);
    }

    [Fact]
    public void Infer_BytesElements_AreDecoded()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());
        var (body, headerLength) = IdentityBody("BYTES", BinaryInfer.Strings("a", "", "ü", "tab\t"));

        var answer = model.InferBinary(body, headerLength);

        Assert.Equal(["a", "", "ü", "tab\t"], ResponseJson.Strings(ResponseJson.Output(answer.Json, "y_bytes")));
    }

    [Fact]
    public void Infer_BytesLengthRunningPastTheEnd_IsBadRequestNamingTheElement()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());
        var bytes = BinaryInfer.Strings("a", "b", "c", "d");
        bytes[^5] = 200;

        var error = model.InferBinaryBadRequest(IdentityBody("BYTES", bytes));

        Assert.Contains("'x_bytes'", error.Message);
        Assert.Contains("element 3 says 200 byte(s)", error.Message);
    }

    [Fact]
    public void Infer_BytesCutInsideALengthPrefix_IsBadRequest()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var error = model.InferBinaryBadRequest(IdentityBody("BYTES", [.. BinaryInfer.Strings("a", "b", "c"), 1, 0]));

        Assert.Contains("'x_bytes'", error.Message);
        Assert.Contains("4-byte length", error.Message);
    }

    [Fact]
    public void Infer_BytesFewerElementsThanTheShape_IsBadRequestGivingBothCounts()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var error = model.InferBinaryBadRequest(IdentityBody("BYTES", BinaryInfer.Strings("a", "b", "c")));

        Assert.Contains("'x_bytes'", error.Message);
        Assert.Contains("3 BYTES element(s) but its shape needs 4", error.Message);
    }

    [Theory]
    [InlineData("""{"binary_data_output":"yes"}""", "binary_data_output")]
    [InlineData("""{"binary_data_output":1}""", "binary_data_output")]
    public void Infer_BinaryDataOutputNotABoolean_IsBadRequestNamingIt(string parameters, string named)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[1,2,3]"));
        json = json[..^1] + $$""","parameters":{{parameters}}}""";

        var error = model.InferBadRequest(json);

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Infer_OutputBinaryDataNotABoolean_IsBadRequestNamingTheOutput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var json = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[1,2,3]"));
        json = json[..^1] + ""","outputs":[{"name":"sum","parameters":{"binary_data":"true"}}]}""";

        var error = model.InferBadRequest(json);

        Assert.Contains("'sum'", error.Message);
        Assert.Contains("binary_data", error.Message);
    }

    /// <summary>Every identity input as JSON sample data except <paramref name="datatype"/>'s, sent as binary.</summary>
    private static (byte[] Body, long HeaderLength) IdentityBody(string datatype, byte[] bytes)
    {
        var inputs = ReferenceModels.OipDatatypes.Select(d => d.Datatype == datatype
            ? BinaryInfer.Input(ReferenceModels.IdentityInputName(d.Datatype), d.Datatype, [2, 2], bytes.Length)
            : InferJson.Input(ReferenceModels.IdentityInputName(d.Datatype), d.Datatype, [2, 2], IdentityRequests.SampleData[d.Datatype]));
        return BinaryInfer.Body(InferJson.Request([.. inputs]), bytes);
    }
}
