using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

public sealed class RequestLayoutTests
{
    [Fact]
    public void Infer_FlatAndNestedData_GiveTheSameResponse()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var flat = model.Infer(InferJson.Request(
            InferJson.Input("a", "FP32", [2, 3], "[1,2,3,4,5,6]"),
            InferJson.Input("b", "FP32", [2, 3], "[10,20,30,40,50,60]")));
        var nested = model.Infer(InferJson.Request(
            InferJson.Input("a", "FP32", [2, 3], "[[1,2,3],[4,5,6]]"),
            InferJson.Input("b", "FP32", [2, 3], "[[10,20,30],[40,50,60]]")));

        foreach (var name in new[] { "sum", "product" })
        {
            var flatOutput = ResponseJson.Output(flat, name);
            var nestedOutput = ResponseJson.Output(nested, name);
            Assert.Equal(ResponseJson.Shape(flatOutput), ResponseJson.Shape(nestedOutput));
            Assert.Equal(ResponseJson.Floats(flatOutput), ResponseJson.Floats(nestedOutput));
        }

        Assert.Equal([11f, 22f, 33f, 44f, 55f, 66f], ResponseJson.Floats(ResponseJson.Output(nested, "sum")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Infer_DynamicBatch_ReturnsOneRowPerInputRow(int batch)
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());
        var a = Enumerable.Range(1, batch * 3).Select(i => (float)i).ToArray();
        var b = a.Select(v => v / 2).ToArray();

        var response = model.Infer(InferJson.Request(
            InferJson.Input("a", "FP32", [batch, 3], "[" + string.Join(",", a) + "]"),
            InferJson.Input("b", "FP32", [batch, 3], "[" + string.Join(",", b) + "]")));

        var sum = ResponseJson.Output(response, "sum");
        var product = ResponseJson.Output(response, "product");
        Assert.Equal([(long)batch, 3L], ResponseJson.Shape(sum));
        Assert.Equal([(long)batch, 3L], ResponseJson.Shape(product));
        Assert.Equal(a.Zip(b, (x, y) => x + y), ResponseJson.Floats(sum));
        Assert.Equal(a.Zip(b, (x, y) => x * y), ResponseJson.Floats(product));
    }

    [Fact]
    public void Infer_MultipleInputsAndOutputs_ComputesEachOutput()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer(InferJson.Request(
            InferJson.Input("a", "FP32", [1, 3], "[1.5,-2,4]"),
            InferJson.Input("b", "FP32", [1, 3], "[2,3,-0.25]")));

        Assert.Equal(["sum", "product"], ResponseJson.OutputNames(response));
        Assert.Equal([3.5f, 1f, 3.75f], ResponseJson.Floats(ResponseJson.Output(response, "sum")));
        Assert.Equal([3f, -6f, -1f], ResponseJson.Floats(ResponseJson.Output(response, "product")));
        Assert.Equal("FP32", ResponseJson.Output(response, "sum").GetProperty("datatype").GetString());
    }

    [Fact]
    public void Infer_InputsInAnyOrder_AreMatchedByName()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer(InferJson.Request(
            InferJson.Input("b", "FP32", [1, 3], "[1,1,1]"),
            InferJson.Input("a", "FP32", [1, 3], "[2,3,4]")));

        Assert.Equal([2f, 3f, 4f], ResponseJson.Floats(ResponseJson.Output(response, "product")));
    }

    [Fact]
    public void Infer_MembersInUnusualOrderAndUnknownMembers_AreAccepted()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer("""
            {
              "parameters": {"priority": 1},
              "inputs": [
                {"data": [1,2,3], "shape": [1,3], "extra": {"x": [1]}, "datatype": "FP32", "name": "a"},
                {"parameters": {"content_type": "np"}, "name": "b", "datatype": "FP32", "shape": [1,3], "data": [4,5,6]}
              ]
            }
            """);

        Assert.Equal([5f, 7f, 9f], ResponseJson.Floats(ResponseJson.Output(response, "sum")));
    }

    [Fact]
    public void Infer_ZeroRowBatch_ReturnsEmptyOutputs()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var response = model.Infer(InferJson.Request(
            InferJson.Input("a", "FP32", [0, 3], "[]"),
            InferJson.Input("b", "FP32", [0, 3], "[]")));

        var sum = ResponseJson.Output(response, "sum");
        Assert.Equal([0L, 3L], ResponseJson.Shape(sum));
        Assert.Empty(ResponseJson.Floats(sum));
    }
}
