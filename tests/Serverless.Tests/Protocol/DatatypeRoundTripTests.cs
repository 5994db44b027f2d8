using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

public sealed class DatatypeRoundTripTests
{
    public static TheoryData<string> Datatypes => new(ReferenceModels.OipDatatypes.Select(d => d.Datatype));

    [Theory]
    [MemberData(nameof(Datatypes))]
    public void Infer_EveryDatatype_RoundTripsValues(string datatype)
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only(datatype));

        var output = Assert.Single(response.GetProperty("outputs").EnumerateArray());
        Assert.Equal(ReferenceModels.IdentityOutputName(datatype), output.GetProperty("name").GetString());
        Assert.Equal(datatype, output.GetProperty("datatype").GetString());
        Assert.Equal([2L, 2L], ResponseJson.Shape(output));
        var flat = "[" + IdentityRequests.SampleData[datatype].Replace("[", "").Replace("]", "") + "]";
        ResponseJson.AssertJsonEqual(flat, output.GetProperty("data"));
    }

    [Fact]
    public void Infer_EveryDatatype_ReturnsOneOutputPerInput()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Build());

        Assert.Equal(
            ReferenceModels.OipDatatypes.Select(d => ReferenceModels.IdentityOutputName(d.Datatype)).Order(),
            ResponseJson.OutputNames(response).Order());
    }

    [Fact]
    public void Infer_BytesWithEscapesAndUnicode_ReturnsTheUnescapedStrings()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only("BYTES", """["a\"b","ü","\u00fc\\",""]"""));

        var strings = ResponseJson.Strings(ResponseJson.Output(response, "y_bytes"));
        Assert.Equal(["a\"b", "ü", "ü\\", ""], strings);
    }

    [Fact]
    public void Infer_Fp16_RoundsToNearestHalfPrecisionValue()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        // 0.1 is not representable in half precision; 1.5 and -0.5 are.
        var response = model.Infer(IdentityRequests.Only("FP16", "[1.5,-0.5,0.1,2048]"));

        var values = ResponseJson.Floats(ResponseJson.Output(response, "y_fp16"));
        Assert.Equal(1.5f, values[0]);
        Assert.Equal(-0.5f, values[1]);
        Assert.Equal((float)(Half)0.1, values[2]);
        Assert.Equal(2048f, values[3]);
    }

    [Fact]
    public void Infer_Uint64AboveInt64Range_ReturnsExactValue()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only("UINT64", "[18446744073709551615,9223372036854775808,1,0]"));

        var data = ResponseJson.Output(response, "y_uint64").GetProperty("data").EnumerateArray().Select(e => e.GetUInt64()).ToArray();
        Assert.Equal([ulong.MaxValue, 9223372036854775808UL, 1UL, 0UL], data);
    }

    [Fact]
    public void Infer_BoolValues_ReturnsJsonBooleans()
    {
        using var model = TestModel.Load(ReferenceModels.AllDatatypesIdentity());

        var response = model.Infer(IdentityRequests.Only("BOOL", "[true,true,false,true]"));

        var data = ResponseJson.Output(response, "y_bool").GetProperty("data").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        Assert.Equal([true, true, false, true], data);
    }
}
