using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

public sealed class BadRequestTests
{
    private static readonly string ValidB = InferJson.Input("b", "FP32", [1, 3], "[4,5,6]");

    [Fact]
    public void Infer_TruncatedJson_IsBadRequestSayingTheBodyEndsEarly()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest("""{"inputs":[{"name":"a","datatype":"FP32","shape":[1,3],"data":[1,2""");

        Assert.Equal("The body is not valid JSON: the body ends before the JSON is complete.", error.Message);
    }

    [Fact]
    public void Infer_TrailingGarbageAfterBody_IsBadRequest()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var body = InferJson.Request(InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), ValidB) + " x";

        var error = model.InferBadRequest(body);

        Assert.Equal($"The body is not valid JSON: line 1, column {body.Length}: 'x' after the end of the JSON value (one value per body).", error.Message);
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("\"inputs\"")]
    [InlineData("")]
    public void Infer_BodyNotAnObject_IsBadRequest(string body)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(body);

        Assert.True(error.Message.Contains("JSON object", StringComparison.Ordinal) || error.Message.Contains("not valid JSON", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void Infer_MissingInputsArray_IsBadRequest()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest("""{"id":"1","outputs":[{"name":"sum"}]}""");

        Assert.Contains("'inputs'", error.Message);
    }

    [Fact]
    public void Infer_InputsNotAnArray_IsBadRequest()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest("""{"inputs":{"name":"a"}}""");

        Assert.Contains("'inputs'", error.Message);
    }

    [Fact]
    public void Infer_UnknownInputName_IsBadRequestNamingItAndTheModelInputs()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("c", "FP32", [1, 3], "[1,2,3]"), ValidB));

        Assert.Contains("'c'", error.Message);
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void Infer_MissingInput_IsBadRequestNamingIt()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(ValidB));

        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void Infer_DuplicateInput_IsBadRequestNamingIt()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(ValidB, InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), ValidB));

        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void Infer_WrongDatatype_IsBadRequestNamingInputAndBothDatatypes()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("a", "FP64", [1, 3], "[1,2,3]"), ValidB));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("FP64", error.Message);
        Assert.Contains("FP32", error.Message);
    }

    [Fact]
    public void Infer_MissingDatatype_IsBadRequestNamingTheInput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request("""{"name":"a","shape":[1,3],"data":[1,2,3]}""", ValidB));

        Assert.Contains("'a'", error.Message);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("[1,2,3,4]")]
    [InlineData("[[1,2,3],[4,5,6]]")]
    [InlineData("[]")]
    public void Infer_ElementCountNotMatchingShape_IsBadRequestNamingTheInput(string data)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("a", "FP32", [1, 3], data), ValidB));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("element", error.Message);
    }

    [Theory]
    [InlineData("[\"x\"]")]
    [InlineData("[\"x\",\"y\",\"z\",\"w\"]")]
    public void Infer_BytesElementCountNotMatchingShape_IsBadRequestNamingTheInput(string data)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var error = model.InferBadRequest(IdentityRequests.With("BYTES", data, shape: [1, 2]));

        Assert.Contains("'x_bytes'", error.Message);
    }

    [Fact]
    public void Infer_WrongRank_IsBadRequestNamingTheInput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("a", "FP32", [3], "[1,2,3]"), ValidB));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("rank", error.Message);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 4)]
    public void Infer_FixedDimensionMismatch_IsBadRequestNamingTheInput(long rows, long columns)
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());
        var data = "[" + string.Join(",", Enumerable.Repeat("1", (int)(rows * columns))) + "]";

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("x", "FP32", [rows, columns], data)));

        Assert.Contains("'x'", error.Message);
        Assert.Contains("[1,4]", error.Message);
    }

    [Fact]
    public void Infer_FixedShapeMatching_Succeeds()
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());

        var response = model.Infer(InferJson.Request(InferJson.Input("x", "FP32", [1, 4], "[1,2,3,4]")));

        Assert.Equal([1f, 2f, 3f, 4f], ResponseJson.Floats(ResponseJson.Output(response, "y")));
    }

    [Theory]
    [InlineData("[-1,3]")]
    [InlineData("[1.5,3]")]
    [InlineData("[\"1\",3]")]
    [InlineData("3")]
    public void Infer_InvalidShape_IsBadRequestNamingTheInput(string shape)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request($$"""{"name":"a","datatype":"FP32","shape":{{shape}},"data":[1,2,3]}""", ValidB));

        Assert.Contains("'a'", error.Message);
    }

    [Theory]
    [InlineData("[1,\"abc\",3]", "abc")]
    [InlineData("[1,null,3]", "null")]
    [InlineData("[1,true,3]", "true")]
    public void Infer_NonNumericFp32Element_IsBadRequestNamingTheInputAndValue(string data, string shown)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("a", "FP32", [1, 3], data), ValidB));

        Assert.Contains("'a'", error.Message);
        Assert.Contains(shown, error.Message);
    }

    [Theory]
    [InlineData("INT32", "[1.5,2,3,4]")]
    [InlineData("INT64", "[1,2,3,4.25]")]
    [InlineData("UINT8", "[300,1,2,3]")]
    [InlineData("UINT8", "[-1,1,2,3]")]
    [InlineData("INT8", "[128,1,2,3]")]
    [InlineData("UINT64", "[-1,1,2,3]")]
    [InlineData("INT16", "[1,2,3,\"4\"]")]
    [InlineData("BOOL", "[1,0,1,0]")]
    [InlineData("BYTES", "[\"a\",\"b\",\"c\",4]")]
    public void Infer_ElementOutOfRangeOrWrongKind_IsBadRequestNamingTheInput(string datatype, string data)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var error = model.InferBadRequest(IdentityRequests.With(datatype, data));

        Assert.Contains($"'{ReferenceModels.IdentityInputName(datatype)}'", error.Message);
        Assert.Contains(datatype, error.Message);
    }

    [Theory]
    [InlineData("FP32", "[[1,{\"v\":2}],[3,4]]")]
    [InlineData("BYTES", "[[\"a\",{\"v\":\"b\"}],[\"c\",\"d\"]]")]
    public void Infer_ObjectInsideData_IsBadRequestNamingTheInput(string datatype, string data)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var error = model.InferBadRequest(IdentityRequests.With(datatype, data));

        Assert.Contains($"'{ReferenceModels.IdentityInputName(datatype)}'", error.Message);
    }

    [Fact]
    public void Infer_UnknownRequestedOutput_IsBadRequestNamingIt()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.RequestWithOutputs(["difference"],
            InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), ValidB));

        Assert.Contains("'difference'", error.Message);
        Assert.Contains("'sum'", error.Message);
    }

    [Fact]
    public void Infer_BinaryDataSizeParameter_IsBadRequestNamingTheInput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(
            """{"name":"a","datatype":"FP32","shape":[1,3],"parameters":{"binary_data_size":12}}""", ValidB));

        Assert.Contains("'a'", error.Message);
        Assert.Contains("binary", error.Message);
    }

    [Fact]
    public void Infer_BinaryDataSizeParameterBeforeName_IsBadRequestNamingTheInput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        // JSON members are unordered: a client may well send "parameters" first.
        var error = model.InferBadRequest(InferJson.Request(
            """{"parameters":{"binary_data_size":12},"name":"a","datatype":"FP32","shape":[1,3]}""", ValidB));

        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void Infer_OnnxRuntimeRunFailure_IsBadRequestMentioningOnnxRuntime()
    {
        using var model = TestModel.Load(ReferenceModels.ReshapeModel());

        var error = model.InferBadRequest(InferJson.Request(
            InferJson.Input("x", "FP32", [1, 6], "[1,2,3,4,5,6]"),
            InferJson.Input("shape", "INT64", [2], "[4,4]")));

        Assert.Contains("ONNX Runtime", error.Message);
        Assert.Contains(TestModel.Name, error.Message);
    }

    [Fact]
    public void Infer_ReshapeWithValidShape_Succeeds()
    {
        using var model = TestModel.Load(ReferenceModels.ReshapeModel());

        var response = model.Infer(InferJson.Request(
            InferJson.Input("x", "FP32", [1, 6], "[1,2,3,4,5,6]"),
            InferJson.Input("shape", "INT64", [2], "[3,2]")));

        var y = ResponseJson.Output(response, "y");
        Assert.Equal([3L, 2L], ResponseJson.Shape(y));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], ResponseJson.Floats(y));
    }

    [Fact]
    public void Infer_NonStringId_IsBadRequest()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest($$"""{"id":42,"inputs":[{{InferJson.Input("a", "FP32", [1, 3], "[1,2,3]")}},{{ValidB}}]}""");

        Assert.Contains("'id'", error.Message);
    }

    [Fact]
    public void Infer_ShapeFarLargerThanBody_IsBadRequestWithoutAllocating()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("a", "FP32", [1_000_000_000_000, 3], "[1,2,3]"), ValidB));

        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void Infer_ShapeProductOverflowing_IsBadRequestNamingTheInput()
    {
        using var model = TestModel.Load(ReferenceModels.ReshapeModel());

        var error = model.InferBadRequest(InferJson.Request(
            InferJson.Input("x", "FP32", [4611686018427387904, 6], "[1,2,3,4,5,6]"),
            InferJson.Input("shape", "INT64", [2], "[3,2]")));

        Assert.Contains("'x'", error.Message);
    }
}
