using System.Net;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// The graph routes under attack: malformed, oversized, deep and cyclic specs, hostile names, members that do not exist or do not
/// fit, a graph under a model's name, deleting a member a graph pins, and bad tensors sent to a graph. Each is refused naming the
/// problem without echoing it, the runner stays flat, and nothing is stored.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class GraphAttacks
{
    private const string Graphs = "graphs/attack-graph/versions";
    private const string Inputs = """[{"name": "input", "datatype": "FP32", "shape": [-1, 3]}]""";

    private readonly AttackFixture _target;

    public GraphAttacks(AttackFixture target)
    {
        _target = target;
    }

    private static string Member(string model = $"{AttackFixture.Model}@1", string name = "m") => $$$"""{"name": "{{{name}}}", "model": "{{{model}}}"}""";

    private static string Spec(string root, string inputs = Inputs) => $$$"""{"inputs": {{{inputs}}}, "root": {{{root}}} }""";

    public static TheoryData<string, string> BadSpecs => new()
    {
        { "[1, 2, 3]", "graph spec" },
        { "{\"inputs\": ", "graph spec" },
        { Spec(Member()).Replace("\"root\"", "\"roots\""), "roots" },
        { Spec(Member(name: "../etc")), "node name" },
        { Spec(Member(model: "../../x@1")), "model name" },
        { Spec(Member(model: AttackFixture.Model + "@9")), "not registered" },
        { Spec(Member(model: AttackFixture.Model + ":never")), "never" },
        { Spec(Member(model: "attack-graph@1")), "itself" },
        { Spec(Member(), """[{"name": "input", "datatype": "FP32", "shape": [-1, 4]}]"""), "shape [-1,3]" },
        { Spec(Member(), """[{"name": "input", "datatype": "INT64", "shape": [-1, 3]}]"""), "FP32" },
        { Spec($$$"""{"name": "s", "kind": "sequence", "steps": [{"name": "a", "model": "{{{AttackFixture.Model}}}@1", "inputs": {"input": "b.probability"}}, {"name": "b", "model": "{{{AttackFixture.Model}}}@1"}]}"""), "runs before it" },
        { Spec($$$"""{"name": "s", "kind": "sequence", "steps": [{{{string.Join(", ", Enumerable.Range(0, 80).Select(i => Member(name: "n" + i)))}}}]}"""), "at most 64 nodes" },
        { Spec(string.Concat(Enumerable.Range(0, 12).Select(i => $$$"""{"name": "d{{{i}}}", "kind": "sequence", "steps": ["""))
               + Member() + string.Concat(Enumerable.Repeat("]}", 12))), "graph spec" },
        { Spec(Member(name: new string('n', 5_000))), "node name" },
        { Spec($$$"""{"name": "e", "kind": "ensemble", "combine": "weighted_mean", "weights": [1, 1e999], "steps": [{{{Member(name: "a")}}}, {{{Member(name: "b")}}}]}"""), "'weights'" },
        { Spec($$$"""{"name": "w", "kind": "switch", "branches": [{"when": {"ref": "$request.input", "op": "in", "value": [{{{string.Join(",", Enumerable.Range(0, 5_000))}}}]}, "node": {{{Member()}}} }]}"""), "1 to 256" },
        { new string('[', 8_000) + new string(']', 8_000), "graph spec" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task Register_BadSpec_Is400NamingTheProblem_WithoutEchoingIt(string body, string errorNames)
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Graphs}/1", body), HttpStatusCode.BadRequest, errorNames);

        Assert.True(answer.Error.Length < 600, answer.Error);
    }

    [Fact]
    public async Task Register_SpecOverTheLimit_Is413()
    {
        var body = Spec(Member()).Replace("\"root\"", $"\"description\": \"{new string('x', 200_000)}\", \"root\"");

        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"{Graphs}/1", body), HttpStatusCode.RequestEntityTooLarge, "limit");
    }

    [Fact]
    public async Task Register_UnderAModelsName_Is409()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync($"graphs/{AttackFixture.Model}/versions/7", Spec(Member())),
            HttpStatusCode.Conflict, "never both");
    }

    [Fact]
    public async Task GraphRoutes_OnAModel_Are404()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync($"graphs/{AttackFixture.Model}/versions/1"), HttpStatusCode.NotFound, "is a model");
        await Attack.RefusedAsync(_target, () => _target.Operator.DeleteJsonAsync($"graphs/{AttackFixture.Model}/versions/1"), HttpStatusCode.NotFound, "is a model");
    }

    [Fact]
    public async Task PinnedMember_DeleteIs409_AndBadTensorsToTheGraphAre400()
    {
        var member = await _target.Operator.PutBytesAsync("models/attack-pinned/versions/1", ReferenceModels.LogisticRegression(features: 3));
        var registered = await _target.Operator.PutJsonAsync("graphs/attack-pinning/versions/1", Spec(Member("attack-pinned@1")));
        Assert.True(member.Status is HttpStatusCode.Created or HttpStatusCode.OK, member.Body?.ToString());
        Assert.True(registered.Status is HttpStatusCode.Created or HttpStatusCode.OK, registered.Body?.ToString());

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("v2/models/attack-pinning/infer",
            """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}"""), HttpStatusCode.BadRequest, "input");
        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("v2/models/attack-pinning/infer",
            """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [100000000, 3], "data": [1, 2, 3]}]}"""), HttpStatusCode.BadRequest, "input");
        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("v2/models/attack-pinning/infer", """{"inputs": []}"""),
            HttpStatusCode.BadRequest, "input");
        await Attack.RefusedAsync(_target, () => _target.Operator.DeleteJsonAsync("models/attack-pinned/versions/1"), HttpStatusCode.Conflict, "attack-pinning@1");
        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("models/attack-pinning/predict", """{"instances": [{"f0": 1, "f1": 2, "f2": 3}]}"""),
            HttpStatusCode.BadRequest, "cannot be served as records");
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/batch-scoring",
            """{"input": "data/x.csv", "model": "attack-pinning", "output": "scores/attack-pinning"}"""), HttpStatusCode.BadRequest, "'model': Inference graph");
    }

    [Fact]
    public async Task Records_ToAGraph_BadRowsAreRefusedNamingRowAndFeature_WithoutEchoingThem()
    {
        var registered = await _target.Operator.PutJsonAsync("graphs/attack-records/versions/1", Spec(Member()));
        Assert.True(registered.Status is HttpStatusCode.Created or HttpStatusCode.OK, registered.Body?.ToString());
        var hostile = new string('<', 10_000);

        var answer = await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("models/attack-records/predict",
            $$"""{"instances": [{"f0": 1, "f1": 2, "f2": 3}, {"f0": "{{hostile}}", "f1": 2, "f2": 3}]}"""), HttpStatusCode.BadRequest, "f0");
        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("models/attack-records/predict",
            """{"instances": [{"f0": 1, "f1": 2, "f2": 3, "__proto__": 1}]}"""), HttpStatusCode.BadRequest, "__proto__");
        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("models/attack-records/predict", """{"instances": []}"""), HttpStatusCode.BadRequest, null);

        Assert.DoesNotContain(hostile[..100], answer.Error);
        Assert.True(answer.Error.Length < 600, answer.Error);
    }
}
