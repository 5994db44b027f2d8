using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Protocol;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

/// <summary>The decoder allocates for the data a request holds, never for the shape it declares; ids are capped.</summary>
public sealed class BoundedDecodingTests
{
    [Theory]
    [InlineData("FP64", "1")]
    [InlineData("INT64", "1")]
    [InlineData("BYTES", "\"\"")]
    public void Parse_MegabyteBodyDeclaringABillionElements_IsBadRequestAndAllocatesLittle(string datatype, string element)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());
        var data = "[" + string.Join(",", Enumerable.Repeat(element, 1024 * 1024 / (element.Length + 1))) + "]";
        var body = Encoding.UTF8.GetBytes(InferJson.Request(InferJson.Input(ReferenceModels.IdentityInputName(datatype), datatype, [500_000_000, 2], data)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ServingException>(() => InferRequestParser.Parse(body, model.Model).Dispose());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("its shape needs 1000000000", error.Message);
        Assert.True(allocated < 64 * 1024, $"parsing a {body.Length}-byte body allocated {allocated} managed bytes");
    }

    [Theory]
    [InlineData("[\"x\"]")]
    [InlineData("[true]")]
    [InlineData("[[1],[2]]")]
    public void Parse_ShapeBeyondWhatItsOwnDataCanHold_IsRefusedBeforeTheTensorIsAllocated(string smallData)
    {
        // "a" makes the body large, so only a bound on b's own data (not the whole body) refuses b's shape before
        // allocating it. Had b's tensor been allocated, decoding would fail on its first element instead.
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var large = "[" + string.Join(",", Enumerable.Repeat("0.5", 30_000)) + "]";
        var body = InferJson.Request(InferJson.Input("a", "FP32", [10_000, 3], large), InferJson.Input("b", "FP32", [10_000, 3], smallData));

        var error = model.InferBadRequest(body);

        Assert.Contains("Input 'b': data has", error.Message);
        Assert.Contains("its shape needs 30000", error.Message);
    }

    [Fact]
    public void Parse_BytesShapeMoreThanItsStrings_IsRefusedFromACountBeforeTheTensorIsCreated()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());
        // Whitespace lets the data pass the structural bound, so only the exact count stands before the tensor.
        var body = InferJson.Request(InferJson.Input("x_bytes", "BYTES", [5_000, 2], "[\"a\",\"b\"" + new string(' ', 30_000) + "]"));

        var error = model.InferBadRequest(body);

        Assert.Contains("Input 'x_bytes': data has 2 string(s) but its shape needs 10000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DataOfExactlyTheMinimumSize_IsAccepted()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only("INT32", "[1,2,3,4]"));

        Assert.Equal("[1,2,3,4]", response.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }

    [Fact]
    public void Parse_ZeroRowsWithDimensionsWhoseProductOverflows_IsBadRequest()
    {
        using var model = TestModel.Load(ThreeDynamicDimensions());

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input("x", "FP32", [0, 4_000_000_000, 4_000_000_000], "[]")));

        Assert.Contains("too large", error.Message);
    }

    [Fact]
    public void Parse_IdAtTheCap_IsEchoed()
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());
        var id = new string('i', 128);

        var response = model.Infer(WithId(JsonString(id)));

        Assert.Equal(id, response.GetProperty("id").GetString());
    }

    [Fact]
    public void Parse_IdAtTheCapWrittenAsEscapes_IsEchoed()
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());

        var response = model.Infer(WithId("\"" + string.Concat(Enumerable.Repeat("\\u0041", 128)) + "\""));

        Assert.Equal(new string('A', 128), response.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData(129)]
    [InlineData(1_000_000)]
    public void Parse_IdOverTheCap_IsBadRequestNamingTheField(int length)
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());
        var id = new string('i', length);

        var error = model.InferBadRequest(WithId(JsonString(id)));

        Assert.Contains("'id' is longer than 128 characters", error.Message);
    }

    [Theory]
    [InlineData("{\"id\":\"\\uD800\",\"inputs\":[]}")]
    [InlineData("{\"inputs\":[{\"name\":\"\\uDC00\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"\\uD83D\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}")]
    public void Parse_UnpairedSurrogateEscapeInAString_IsBadRequest(string body)
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());

        model.InferBadRequest(body);
    }

    [Fact]
    public void Parse_InvalidUtf8InAnInputName_IsBadRequest()
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());
        var body = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"x?","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""");
        body[Array.IndexOf(body, (byte)'?')] = 0xC3;

        var error = Assert.Throws<ServingException>(() => InferRequestParser.Parse(body, model.Model).Dispose());

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
    }

    [Fact]
    public void Parse_HugeUnknownInputName_IsQuotedTruncated()
    {
        using var model = TestModel.Load(ReferenceModels.FixedShape());
        var name = new string('n', 100_000);

        var error = model.InferBadRequest(InferJson.Request(InferJson.Input(name, "FP32", [1, 4], "[1,2,3,4]")));

        Assert.Contains("Unknown input 'nnnn", error.Message);
        Assert.True(error.Message.Length < 300, error.Message);
    }

    private static string WithId(string idJson) => $$"""{"id":{{idJson}},"inputs":[{"name":"x","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""";

    private static string JsonString(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static byte[] ThreeDynamicDimensions() => new OnnxGraphBuilder("three_dynamic")
        .Input("x", OnnxElementType.Float, "A", "B", "C")
        .Node("Identity", ["x"], ["y"])
        .Output("y", OnnxElementType.Float, "A", "B", "C")
        .Build();
}
