using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Inference graphs through the runner on Azurite: registered over HTTP, served by the OIP infer route under their own name, an
/// ensemble's and a sequence's answers equal to their members' answers combined by hand, a switch routing by a request field, an
/// aliased member followed when the alias moves, a mismatched mapping refused at registration, and pins guarding member versions.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class InferenceGraphTests
{
    private const string Inputs = """[{"name": "x", "datatype": "FP32", "shape": [-1, 2]}]""";
    private const string Request = """{"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [1, 2, 3, -4]}]}""";
    private readonly StackFixture _stack;

    public InferenceGraphTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task Ensemble_AnswersTheMeanOfItsMembersAnswers_AndNamesTheVersionsThatServed()
    {
        await RegisterAsync(("ge-double", GraphModels.Scale(2)), ("ge-triple", GraphModels.Scale(3)), ("ge-plus", GraphModels.Shift(1)));
        await PutGraphAsync("ge-ensemble", $$$"""
            {"inputs": {{{Inputs}}}, "root": {"name": "avg", "kind": "ensemble", "combine": "mean", "output": "score",
             "steps": [{"name": "a", "model": "ge-double@1"}, {"name": "b", "model": "ge-triple@1"}, {"name": "c", "model": "ge-plus@1"}]}}
            """);

        var graph = await InferAsync("ge-ensemble");
        var members = new List<double[]>();
        foreach (var model in new[] { "ge-double", "ge-triple", "ge-plus" })
        {
            members.Add(Data(await InferAsync(model), "y"));
        }

        var expected = Enumerable.Range(0, 4).Select(i => members.Average(m => m[i])).ToArray();
        Assert.Equal(expected, Data(graph, "score"), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal("ge-ensemble", graph.GetProperty("model_name").GetString());
        var steps = graph.GetProperty("parameters").GetProperty("graph").GetProperty("steps").EnumerateArray()
            .Select(s => $"{s.GetProperty("node").GetString()}={s.GetProperty("model").GetString()}@{s.GetProperty("version").GetString()}").ToList();
        Assert.Equal(["a=ge-double@1", "b=ge-triple@1", "c=ge-plus@1"], steps);
        Assert.All(graph.GetProperty("parameters").GetProperty("graph").GetProperty("steps").EnumerateArray(), s => Assert.False(s.TryGetProperty("ms", out _)));

        var id = graph.GetProperty("id").GetString();
        var memberRows = await GraphMemberRows.ReadAsync(_stack, "ge-triple", id!);
        Assert.Equal(2, memberRows.Count);
        Assert.All(memberRows, r => Assert.Equal("1", r.Version));

        var timed = await _stack.Client.SendAsync(HttpMethod.Post, "v2/models/ge-ensemble/infer", new StringContent(Request, Encoding.UTF8, "application/json"),
            new Dictionary<string, string> { ["x-graph-timings"] = "true" });
        Assert.All(timed.Json.GetProperty("parameters").GetProperty("graph").GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("ms").GetDouble() >= 0));
    }

    [Fact]
    public async Task Sequence_FeaturizerFeedingAConsumer_EqualsRunningBothByHand_AndMetadataShowsTheGraphsSignature()
    {
        await RegisterAsync(("gs-featurize", GraphModels.Scale(2)), ("gs-sum", GraphModels.RowSum()));
        await PutGraphAsync("gs-sequence", $$$"""
            {"inputs": {{{Inputs}}}, "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "featurize", "model": "gs-featurize@1"}, {"name": "sum", "model": "gs-sum@1", "inputs": {"features": "featurize.y"}}]}}
            """);

        var featurized = Data(await InferAsync("gs-featurize"), "y");
        var byHand = await _stack.Client.PostJsonAsync("v2/models/gs-sum/infer",
            $$$"""{"inputs": [{"name": "features", "datatype": "FP32", "shape": [2, 2], "data": [{{{string.Join(",", featurized)}}}]}]}""");
        var graph = await InferAsync("gs-sequence");
        var metadata = await _stack.Client.GetJsonAsync("v2/models/gs-sequence");

        Assert.Equal(Data(byHand.Json, "total"), Data(graph, "total"));
        Assert.Equal("inference_graph", metadata.Json.GetProperty("platform").GetString());
        Assert.Equal("x", metadata.Json.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal("total", metadata.Json.GetProperty("outputs")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Switch_RoutesByARequestField_AndAnAliasedMemberFollowsItsAlias()
    {
        await RegisterAsync(("gw-low", GraphModels.Scale(2)), ("gw-high", GraphModels.Scale(3)));
        Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutBytesAsync("models/gw-high/versions/2", GraphModels.Scale(10))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _stack.Client.PutJsonAsync("models/gw-high/aliases/production", """{"version": "1"}""")).Status);
        await PutGraphAsync("gw-switch", $$$"""
            {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 2]}, {"name": "tier", "datatype": "INT64", "shape": [1]}],
             "root": {"name": "route", "kind": "switch",
               "branches": [{"when": {"ref": "$request.tier", "op": "eq", "value": 1}, "node": {"name": "low", "model": "gw-low@1"}}],
               "default": {"name": "high", "model": "gw-high:production"}} }
            """);

        var low = await InferAsync("gw-switch", Tier(1));
        var high = await InferAsync("gw-switch", Tier(2));
        Assert.Equal(HttpStatusCode.OK, (await _stack.Client.PutJsonAsync("models/gw-high/aliases/production", """{"version": "2"}""")).Status);
        var moved = await InferAsync("gw-switch", Tier(2));

        Assert.Equal(2.0, Data(low, "y")[0]);
        Assert.Equal(3.0, Data(high, "y")[0]);
        Assert.Equal(10.0, Data(moved, "y")[0]);
        Assert.Equal("2", moved.GetProperty("parameters").GetProperty("graph").GetProperty("steps")[0].GetProperty("version").GetString());
    }

    [Fact]
    public async Task Register_MismatchedMapping_Is400NamingTheNode_AndPinsGuardMembersUntilTheGraphIsDeleted()
    {
        await RegisterAsync(("gp-scale", GraphModels.Scale(2)), ("gp-labels", GraphModels.ArgMaxLabel([0, 0])));
        var mismatch = await _stack.Client.PutJsonAsync("graphs/gp-bad/versions/1", $$$"""
            {"inputs": {{{Inputs}}}, "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "label", "model": "gp-labels@1"}, {"name": "scale", "model": "gp-scale@1", "inputs": {"x": "label.label"}}]}}
            """);
        await PutGraphAsync("gp-pinning", $$$"""{"inputs": {{{Inputs}}}, "root": {"name": "only", "model": "gp-scale@1"}}""");

        var refused = await _stack.Client.DeleteJsonAsync("models/gp-scale/versions/1");
        var graphDeleted = await _stack.Client.DeleteJsonAsync("graphs/gp-pinning/versions/1");
        var memberDeleted = await _stack.Client.DeleteJsonAsync("models/gp-scale/versions/1");

        Assert.Equal(HttpStatusCode.BadRequest, mismatch.Status);
        Assert.Contains("'scale' input 'x'", mismatch.Error);
        Assert.Equal(HttpStatusCode.NotFound, (await _stack.Client.GetJsonAsync("graphs/gp-bad/versions/1")).Status);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("gp-pinning@1", refused.Error);
        Assert.Equal(HttpStatusCode.NoContent, graphDeleted.Status);
        Assert.Equal(HttpStatusCode.NoContent, memberDeleted.Status);
    }

    private static string Tier(long tier) =>
        $$$"""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [1, 2]}, {"name": "tier", "datatype": "INT64", "shape": [1], "data": [{{{tier}}}]}]}""";

    private async Task RegisterAsync(params (string Name, byte[] Onnx)[] models)
    {
        foreach (var (name, onnx) in models)
        {
            var put = await _stack.Client.PutBytesAsync($"models/{name}/versions/1", onnx);
            Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration of {name} failed: {put.Status} {put.Body}");
        }
    }

    private async Task PutGraphAsync(string name, string spec)
    {
        var put = await _stack.Client.PutJsonAsync($"graphs/{name}/versions/1", spec);
        Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"graph {name} refused: {put.Status} {put.Body}");
    }

    private async Task<JsonElement> InferAsync(string model, string body = Request)
    {
        var answer = await _stack.Client.PostJsonAsync($"v2/models/{model}/infer", body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{model}: {answer.Status} {answer.Body}");
        return answer.Json;
    }

    private static double[] Data(JsonElement answer, string output) => answer.GetProperty("outputs").EnumerateArray()
        .Single(o => o.GetProperty("name").GetString() == output).GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
}
