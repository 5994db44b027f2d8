using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

public sealed class ResponseEnvelopeTests
{
    private static readonly string[] ValidInputs =
    [
        InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"),
        InferJson.Input("b", "FP32", [1, 3], "[4,5,6]"),
    ];

    [Fact]
    public void Infer_RequestedOutputs_ReturnsOnlyThoseOutputs()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer(InferJson.RequestWithOutputs(["product"], ValidInputs));

        Assert.Equal(["product"], ResponseJson.OutputNames(response));
        Assert.Equal([4f, 10f, 18f], ResponseJson.Floats(ResponseJson.Output(response, "product")));
    }

    [Fact]
    public void Infer_RequestedOutputsInReverseOrder_KeepsTheRequestedOrder()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer(InferJson.RequestWithOutputs(["product", "sum"], ValidInputs));

        Assert.Equal(["product", "sum"], ResponseJson.OutputNames(response));
        Assert.Equal([5f, 7f, 9f], ResponseJson.Floats(ResponseJson.Output(response, "sum")));
    }

    [Fact]
    public void Infer_RequestedOutputNamedTwice_ReturnsItOnce()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer(InferJson.RequestWithOutputs(["sum", "sum"], ValidInputs));

        Assert.Equal(["sum"], ResponseJson.OutputNames(response));
    }

    [Fact]
    public void Infer_RequestId_IsEchoed()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer($$"""{"id":"request-42 \u00fc","inputs":[{{string.Join(",", ValidInputs)}}]}""");

        Assert.Equal("request-42 ü", response.GetProperty("id").GetString());
    }

    [Fact]
    public void Infer_NoRequestId_GeneratesADistinctId()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var first = model.Infer(InferJson.Request(ValidInputs)).GetProperty("id").GetString();
        var second = model.Infer(InferJson.Request(ValidInputs)).GetProperty("id").GetString();

        Assert.False(string.IsNullOrWhiteSpace(first));
        Assert.False(string.IsNullOrWhiteSpace(second));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Infer_NullRequestId_GeneratesAnId()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer($$"""{"id":null,"inputs":[{{string.Join(",", ValidInputs)}}]}""");

        Assert.False(string.IsNullOrWhiteSpace(response.GetProperty("id").GetString()));
    }

    [Fact]
    public void Infer_Response_NamesTheModelAndVersion()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer(InferJson.Request(ValidInputs));

        Assert.Equal(TestModel.Name, response.GetProperty("model_name").GetString());
        Assert.Equal(TestModel.VersionName, response.GetProperty("model_version").GetString());
    }
}
