using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

[Collection(StackCollection.Name)]
public sealed class InferenceEndpointTests
{
    private static readonly Dictionary<string, string> SampleData = new()
    {
        ["BOOL"] = "[[true,false],[false,true]]",
        ["UINT8"] = "[[0,255],[7,128]]",
        ["UINT16"] = "[[0,65535],[1,2]]",
        ["UINT32"] = "[[0,4294967295],[3,4]]",
        ["UINT64"] = "[[0,18446744073709551615],[5,6]]",
        ["INT8"] = "[[-128,127],[-1,0]]",
        ["INT16"] = "[[-32768,32767],[-2,2]]",
        ["INT32"] = "[[-2147483648,2147483647],[-3,3]]",
        ["INT64"] = "[[-9223372036854775808,9223372036854775807],[-4,4]]",
        ["FP16"] = "[[1.5,-2.25],[\"NaN\",\"-Infinity\"]]",
        ["FP32"] = "[[0.125,-3.5],[\"Infinity\",1e-7]]",
        ["FP64"] = "[[0.1,-1e300],[\"NaN\",2.5]]",
        ["BYTES"] = "[[\"hello\",\"wörld\"],[\"quote\\\"d\",\"\"]]",
    };

    private readonly StackFixture _stack;

    public InferenceEndpointTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Infer_EveryDatatype_RoundTripsThroughIdentityModel()
    {
        await RegisterAsync("all-types", "1", ReferenceModels.AllDatatypesIdentity());
        var inputs = ReferenceModels.OipDatatypes.Select(d =>
            $$"""{"name":"{{ReferenceModels.IdentityInputName(d.Datatype)}}","datatype":"{{d.Datatype}}","shape":[2,2],"data":{{SampleData[d.Datatype]}}}""");

        var answer = await Client.PostJsonAsync("v2/models/all-types/infer", $$"""{"id":"req-1","inputs":[{{string.Join(",", inputs)}}]}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("all-types", answer.Json.GetProperty("model_name").GetString());
        Assert.Equal("1", answer.Json.GetProperty("model_version").GetString());
        Assert.Equal("req-1", answer.Json.GetProperty("id").GetString());
        var outputs = answer.Json.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        foreach (var (datatype, _) in ReferenceModels.OipDatatypes)
        {
            var output = outputs[ReferenceModels.IdentityOutputName(datatype)];
            Assert.Equal(datatype, output.GetProperty("datatype").GetString());
            Assert.Equal("[2,2]", output.GetProperty("shape").GetRawText());
            var expected = JsonDocument.Parse(SampleData[datatype]).RootElement.EnumerateArray().SelectMany(r => r.EnumerateArray()).ToList();
            var actual = output.GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                AssertSameElement(datatype, expected[i], actual[i]);
            }
        }
    }

    [Fact]
    public async Task Infer_UnversionedRoute_ServesProductionAliasElseLatest()
    {
        await RegisterAsync("routing", "1", ReferenceModels.LogisticRegression(seed: 1));
        await RegisterAsync("routing", "2", ReferenceModels.LogisticRegression(seed: 2));
        var body = LogisticBody(rows: 1);

        var latest = await Client.PostJsonAsync("v2/models/routing/infer", body);
        await Client.PutJsonAsync("models/routing/aliases/production", """{"version":"1"}""");
        var production = await Client.PostJsonAsync("v2/models/routing/infer", body);
        var pinned = await Client.PostJsonAsync("v2/models/routing/versions/2/infer", body);

        Assert.Equal("2", latest.Json.GetProperty("model_version").GetString());
        Assert.Equal("1", production.Json.GetProperty("model_version").GetString());
        Assert.Equal("2", pinned.Json.GetProperty("model_version").GetString());
        Assert.NotEqual(
            production.Json.GetProperty("outputs")[0].GetProperty("data")[0].GetDouble(),
            pinned.Json.GetProperty("outputs")[0].GetProperty("data")[0].GetDouble());
    }

    [Fact]
    public async Task Infer_OutputsSubsetAndMultipleInputs_ReturnsOnlyRequestedValues()
    {
        await RegisterAsync("add-mul", "1", ReferenceModels.AddAndMultiply());

        var answer = await Client.PostJsonAsync("v2/models/add-mul/infer", """
            {"inputs":[
              {"name":"b","datatype":"FP32","shape":[1,3],"data":[4,5,6]},
              {"name":"a","datatype":"FP32","shape":[1,3],"data":[[1,2,3]]}],
             "outputs":[{"name":"product"}]}
            """);

        var outputs = answer.Json.GetProperty("outputs");
        Assert.Equal(1, outputs.GetArrayLength());
        Assert.Equal("product", outputs[0].GetProperty("name").GetString());
        Assert.Equal("[4,10,18]", outputs[0].GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task ModelMetadata_ReportsPlatformVersionsAndDynamicDimensions()
    {
        await RegisterAsync("meta", "1", ReferenceModels.LogisticRegression());

        var metadata = await Client.GetJsonAsync("v2/models/meta");
        var versioned = await Client.GetJsonAsync("v2/models/meta/versions/1");
        var ready = await Client.GetJsonAsync("v2/models/meta/versions/1/ready");
        var registry = await Client.GetJsonAsync("models/meta/versions/1");

        Assert.Equal("onnxruntime_onnx", metadata.Json.GetProperty("platform").GetString());
        Assert.Equal("""["1"]""", metadata.Json.GetProperty("versions").GetRawText());
        Assert.Equal("[-1,10]", metadata.Json.GetProperty("inputs")[0].GetProperty("shape").GetRawText());
        Assert.Equal("probability", versioned.Json.GetProperty("outputs")[0].GetProperty("name").GetString());
        Assert.True(ready.Json.GetProperty("ready").GetBoolean());
        var serving = registry.Json.GetProperty("serving");
        Assert.True(serving.GetProperty("loaded").GetBoolean());
        Assert.True(serving.GetProperty("cold_start_ms").GetProperty("session_create").GetDouble() > 0);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,10],"data":[1,2,3""", "The body is not valid JSON: the body ends before the JSON is complete")]
    [InlineData("""[1,2,3]""", "JSON object")]
    [InlineData("""{"id":"x"}""", "no 'inputs'")]
    [InlineData("""{"inputs":[{"name":"nope","datatype":"FP32","shape":[1,10],"data":[0,0,0,0,0,0,0,0,0,0]}]}""", "Unknown input 'nope'")]
    [InlineData("""{"inputs":[]}""", "Missing input 'input'")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP64","shape":[1,10],"data":[0,0,0,0,0,0,0,0,0,0]}]}""", "expects FP32")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,10],"data":[0,0,0]}]}""", "3 element(s) but its shape needs 10")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[10],"data":[0,0,0,0,0,0,0,0,0,0]}]}""", "rank")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,9],"data":[0,0,0,0,0,0,0,0,0]}]}""", "dimension 1 must be 10")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,10],"data":[0,0,0,"x",0,0,0,0,0,0]}]}""", "element 3")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,10]}]}""", "no 'data'")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,10],"data":[0,0,0,0,0,0,0,0,0,0]}],"outputs":[{"name":"nope"}]}""", "Unknown output 'nope'")]
    public async Task Infer_BadInput_Returns400NamingTheProblem(string body, string expected)
    {
        await RegisterAsync("bad-input", "1", ReferenceModels.LogisticRegression());

        var answer = await Client.PostJsonAsync("v2/models/bad-input/infer", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(expected, answer.Error);
    }

    [Fact]
    public async Task Infer_OnnxRuntimeRejectsValidLookingInput_Returns400WithItsMessage()
    {
        await RegisterAsync("reshape", "1", ReferenceModels.ReshapeModel());

        var answer = await Client.PostJsonAsync("v2/models/reshape/infer", """
            {"inputs":[{"name":"x","datatype":"FP32","shape":[1,6],"data":[1,2,3,4,5,6]},
                       {"name":"shape","datatype":"INT64","shape":[2],"data":[4,4]}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("ONNX Runtime", answer.Error);
    }

    [Fact]
    public async Task Infer_UnknownModelOrVersion_Returns404()
    {
        await RegisterAsync("known", "1", ReferenceModels.LogisticRegression());

        var model = await Client.PostJsonAsync("v2/models/unknown/infer", LogisticBody(1));
        var version = await Client.PostJsonAsync("v2/models/known/versions/7/infer", LogisticBody(1));
        var metadata = await Client.GetJsonAsync("v2/models/unknown");

        Assert.Equal(HttpStatusCode.NotFound, model.Status);
        Assert.Contains("'unknown'", model.Error);
        Assert.Equal(HttpStatusCode.NotFound, version.Status);
        Assert.Contains("'7'", version.Error);
        Assert.Equal(HttpStatusCode.NotFound, metadata.Status);
    }

    [Fact]
    public async Task Infer_BodyOverTheLimit_Returns413()
    {
        await RegisterAsync("big-body", "1", ReferenceModels.LogisticRegression());
        var padding = new string(' ', (int)StackFixture.MaxRequestBodyBytes);

        var answer = await Client.PostJsonAsync("v2/models/big-body/infer", LogisticBody(1) + padding);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Contains("limit", answer.Error);
    }

    [Fact]
    public async Task Infer_AfterRestart_StillServesAliasedVersionWarmedAtStartup()
    {
        await RegisterAsync("survivor", "1", ReferenceModels.Mlp(inputs: 64, hidden1: 32, hidden2: 32));
        await Client.PutJsonAsync("models/survivor/aliases/production", """{"version":"1"}""");
        var body = $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,64],"data":[{{string.Join(",", Enumerable.Repeat("0.5", 64))}}]}]}""";
        var before = await Client.PostJsonAsync("v2/models/survivor/infer", body);

        await _stack.RestartHostAsync();
        var warm = await Client.GetJsonAsync("models/survivor/versions/1");
        var after = await Client.PostJsonAsync("v2/models/survivor/infer", body);

        Assert.True(warm.Json.GetProperty("serving").GetProperty("loaded").GetBoolean(), "the aliased version was not warmed before ready");
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(before.Json.GetProperty("outputs")[0].GetProperty("data").GetRawText(), after.Json.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }

    private async Task RegisterAsync(string name, string version, byte[] model)
    {
        var answer = await Client.PutBytesAsync($"models/{name}/versions/{version}", model);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {answer.Status} {answer.Body}");
    }

    private static string LogisticBody(int rows)
    {
        var data = string.Join(",", Enumerable.Range(0, rows * 10).Select(i => (i % 7 * 0.25).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[{{rows}},10],"data":[{{data}}]}]}""";
    }

    private static void AssertSameElement(string datatype, JsonElement expected, JsonElement actual)
    {
        switch (datatype)
        {
            case "FP16" or "FP32" or "FP64" when expected.ValueKind == JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
            case "FP16" or "FP32" or "FP64":
                var tolerance = datatype == "FP64" ? 0 : Math.Abs(expected.GetDouble()) * 1e-6;
                Assert.InRange(actual.GetDouble(), expected.GetDouble() - tolerance, expected.GetDouble() + tolerance);
                break;
            default:
                Assert.Equal(expected.GetRawText(), actual.GetRawText());
                break;
        }
    }
}
