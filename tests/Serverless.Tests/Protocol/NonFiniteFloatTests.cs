using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

public sealed class NonFiniteFloatTests
{
    [Theory]
    [InlineData("FP32")]
    [InlineData("FP64")]
    [InlineData("FP16")]
    public void Infer_NonFiniteStrings_AreAcceptedAndWrittenBackAsStrings(string datatype)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only(datatype, """[["NaN","Infinity"],["-Infinity",2.5]]"""));

        var output = ResponseJson.Output(response, ReferenceModels.IdentityOutputName(datatype));
        ResponseJson.AssertJsonEqual("""["NaN","Infinity","-Infinity",2.5]""", output.GetProperty("data"));
    }

    [Theory]
    [InlineData("FP32", "\"nan\"", "\"NaN\"")]
    [InlineData("FP64", "\"inf\"", "\"Infinity\"")]
    [InlineData("FP64", "\"-inf\"", "\"-Infinity\"")]
    public void Infer_PythonStyleNonFiniteStrings_AreAccepted(string datatype, string sent, string expected)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only(datatype, $"[{sent},1,2,3]"));

        var output = ResponseJson.Output(response, ReferenceModels.IdentityOutputName(datatype));
        ResponseJson.AssertJsonEqual($"[{expected},1,2,3]", output.GetProperty("data"));
    }

    [Theory]
    [InlineData("FP16", "1e6")]
    [InlineData("FP32", "1e39")]
    [InlineData("FP64", "1e309")]
    public void Infer_NumberBeyondTheTypesRange_OverflowsToInfinityAsNumpyDoes(string datatype, string huge)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only(datatype, $"[{huge},-{huge},0,1]"));

        var output = ResponseJson.Output(response, ReferenceModels.IdentityOutputName(datatype));
        ResponseJson.AssertJsonEqual("""["Infinity","-Infinity",0,1]""", output.GetProperty("data"));
    }
}
