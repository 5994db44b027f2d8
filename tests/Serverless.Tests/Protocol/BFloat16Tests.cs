using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

public sealed class BFloat16Tests
{
    private static byte[] IdentityModel() => new OnnxGraphBuilder("bf16_identity")
        .Input("x", OnnxElementType.BFloat16, "N", 2L)
        .Node("Identity", ["x"], ["y"])
        .Output("y", OnnxElementType.BFloat16, "N", 2L)
        .Build();

    [Fact]
    public void Infer_Bf16Values_RoundTripThroughTheModel()
    {
        using var model = TestModel.Load(IdentityModel());

        // All four are exactly representable in bfloat16 (8 significant bits).
        var response = model.Infer(InferJson.Request(InferJson.Input("x", "BF16", [2, 2], "[[1.5,-2],[3.140625,65536]]")));

        var output = ResponseJson.Output(response, "y");
        Assert.Equal("BF16", output.GetProperty("datatype").GetString());
        Assert.Equal([1.5f, -2f, 3.140625f, 65536f], ResponseJson.Floats(output));
    }

    [Fact]
    public void Infer_Bf16NonFiniteStrings_AreWrittenBackAsStrings()
    {
        using var model = TestModel.Load(IdentityModel());

        var response = model.Infer(InferJson.Request(InferJson.Input("x", "BF16", [2, 2], """["NaN","Infinity","-Infinity",0]""")));

        ResponseJson.AssertJsonEqual("""["NaN","Infinity","-Infinity",0]""", ResponseJson.Output(response, "y").GetProperty("data"));
    }
}
