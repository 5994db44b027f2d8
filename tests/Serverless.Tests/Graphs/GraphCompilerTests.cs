using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;

namespace Serverless.Tests.Graphs;

public sealed class GraphCompilerTests
{
    [Fact]
    public void Compile_Sequence_TakesTheDeclaredInputsAndTheLastStepsOutputs()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "seq", "kind": "sequence", "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "row-sum@1", "inputs": {"features": "a.y"}}]}}
            """);

        Assert.Equal(["x"], plan.Inputs.Select(i => i.Name));
        Assert.Equal("total", plan.OutputSpecs.Single().Name);
        Assert.Equal([-1L, 1], plan.OutputSpecs.Single().Shape);
        Assert.Equal(["a", "b"], plan.Members.Select(m => m.Node));
    }

    [Theory]
    [InlineData("""{"name": "b", "model": "row-sum@1", "inputs": {"features": "$request.labels"}}""", "'b' input 'features' is FP32")]
    [InlineData("""{"name": "b", "model": "row-sum@1", "inputs": {"features": "a.nothing"}}""", "'a.nothing'")]
    [InlineData("""{"name": "b", "model": "row-sum@1", "inputs": {"features": "c.y"}}""", "runs before it")]
    [InlineData("""{"name": "b", "model": "row-sum@1", "inputs": {"features": "a.y", "extra": "a.y"}}""", "'extra'")]
    [InlineData("""{"name": "b", "model": "row-sum@1"}""", "does not map")]
    [InlineData("""{"name": "a", "model": "row-sum@1", "inputs": {"features": "a.y"}}""", "used twice")]
    public void Compile_BadMapping_IsBadRequestNamingTheNode(string second, string expected)
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs("""{"name":"labels","datatype":"INT64","shape":[-1,2]}""")}}},
             "root": {"name": "seq", "kind": "sequence", "steps": [{"name": "a", "model": "double@1"}, {{{second}}}, {"name": "c", "model": "triple@1"}]}}
            """;

        var error = Assert.Throws<ServingException>(() => GraphTestModels.Compile(spec));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("""{"name": "e", "kind": "ensemble", "combine": "mean", "steps": [{"name": "a", "model": "double@1"}]}""", "fewer than 2")]
    [InlineData("""{"name": "e", "kind": "ensemble", "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}""", "without 'combine'")]
    [InlineData("""{"name": "e", "kind": "ensemble", "combine": "vote", "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}""", "INT64 or INT32")]
    [InlineData("""{"name": "e", "kind": "ensemble", "combine": "mean", "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "pick-first@1"}]}""", "different datatypes")]
    [InlineData("""{"name": "e", "kind": "ensemble", "combine": "weighted_mean", "weights": [1], "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}""", "one positive number per step")]
    [InlineData("""{"name": "e", "kind": "ensemble", "combine": "mean", "weights": [1, 1], "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}""", "'weights'")]
    [InlineData("""{"name": "e", "kind": "ensemble", "combine": "mean", "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1", "inputs": {"x": "a.y"}}]}""", "runs before it")]
    [InlineData("""{"name": "s", "kind": "switch", "branches": [{"weight": 1, "node": {"name": "a", "model": "double@1"}}]}""", "needs 'when'")]
    [InlineData("""{"name": "s", "kind": "switch", "branches": [{"when": {"ref": "$request.pair", "op": "eq", "value": 1}, "node": {"name": "a", "model": "double@1"}}]}""", "")]
    [InlineData("""{"name": "s", "kind": "switch", "branches": [{"when": {"ref": "$request.labels", "op": "like", "value": 1}, "node": {"name": "a", "model": "double@1"}}]}""", "'like'")]
    [InlineData("""{"name": "s", "kind": "switch", "branches": [{"when": {"ref": "$request.labels", "op": "eq", "value": "x"}, "node": {"name": "a", "model": "double@1"}}]}""", "must be a number")]
    [InlineData("""{"name": "s", "kind": "switch", "branches": [{"when": {"ref": "$request.one", "op": "eq", "value": 1}, "node": {"name": "a", "model": "double@1"}}, {"when": {"ref": "$request.one", "op": "eq", "value": 2}, "node": {"name": "b", "model": "pick-first@1"}}]}""", "no output in common")]
    [InlineData("""{"name": "p", "kind": "splitter", "branches": [{"weight": 1, "node": {"name": "a", "model": "double@1"}}]}""", "fewer than 2")]
    [InlineData("""{"name": "p", "kind": "splitter", "branches": [{"weight": 0, "node": {"name": "a", "model": "double@1"}}, {"weight": 1, "node": {"name": "b", "model": "double@1"}}]}""", "positive whole 'weight'")]
    [InlineData("""{"name": "m", "model": "double@1", "steps": []}""", "'steps'")]
    [InlineData("""{"name": "bad.name", "model": "double@1"}""", "'bad.name'")]
    [InlineData("""{"name": "m", "model": "double@1:prod"}""", "both '@' and ':'")]
    public void Compile_MalformedNode_IsBadRequestNamingIt(string root, string expected)
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs("""{"name":"labels","datatype":"INT64","shape":[-1,2]}""", """{"name":"one","datatype":"INT64","shape":[1]}""", """{"name":"pair","datatype":"INT64","shape":[1,2]}""")}}},
             "root": {{{root}}}}
            """;

        var error = Assert.Throws<ServingException>(() => GraphTestModels.Compile(spec));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected == "" ? "one element" : expected, error.Message);
    }

    [Theory]
    [InlineData("""{"inputs": [], "root": {"name": "m", "model": "double@1"}}""", "no 'inputs'")]
    [InlineData("""{"inputs": [{"name":"x","datatype":"FLOAT","shape":[-1,2]}], "root": {"name": "m", "model": "double@1"}}""", "'FLOAT'")]
    [InlineData("""{"inputs": [{"name":"x","datatype":"FP32","shape":[]}], "root": {"name": "m", "model": "double@1"}}""", "1 to 8 dimensions")]
    [InlineData("""{"inputs": [{"name":"x","datatype":"FP32","shape":[-1,2]}], "root": {"name": "m", "model": "double@1"}, "outputs": {"z": "m.nope"}}""", "'m.nope'")]
    [InlineData("""{"inputs": [{"name":"x","datatype":"FP32","shape":[-1,2]}], "root": {"name": "m", "model": "double@1"}, "colour": 1}""", "colour")]
    [InlineData("""{"inputs": [{"name":"x","datatype":"FP32","shape":[-1,2]}], "root": {"name": "m", "kind": "loop"}}""", "$.root.kind")]
    [InlineData("""{"inputs": [{"name":"x","datatype":"FP32","shape":[-1,3]}], "root": {"name": "m", "model": "double@1"}}""", "shape [-1,2] but is fed shape [-1,3]")]
    public void Compile_MalformedGraph_IsBadRequestSayingWhat(string spec, string expected)
    {
        var error = Assert.Throws<ServingException>(() => GraphTestModels.Compile(spec));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Parse_DeepOrLargeSpec_IsRefusedBeforeCompiling()
    {
        var nested = "{\"name\": \"m\", \"model\": \"double@1\"}";
        for (var i = 0; i < GraphSpec.MaxDepth + 1; i++)
        {
            nested = $$$"""{"name": "s{{{i}}}", "kind": "sequence", "steps": [{{{nested}}}]}""";
        }

        var deep = Assert.Throws<ServingException>(() => GraphTestModels.Compile($$$"""{"inputs": {{{GraphTestModels.Inputs()}}}, "root": {{{nested}}}}"""));
        var large = Assert.Throws<ServingException>(() => GraphSpec.Parse(Encoding.UTF8.GetBytes(new string(' ', GraphSpec.MaxBytes + 1))));

        Assert.Equal(ServingErrorKind.BadRequest, deep.Kind);
        Assert.Equal(ServingErrorKind.PayloadTooLarge, large.Kind);
    }

    [Fact]
    public void CollectMembers_NamesEachMemberOnce_PinnedAliasedOrDefault()
    {
        var spec = GraphSpec.Parse(Encoding.UTF8.GetBytes($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "e", "kind": "ensemble", "combine": "mean", "steps": [
               {"name": "a", "model": "double@1"}, {"name": "b", "model": "double:production"}, {"name": "c", "model": "triple"}, {"name": "d", "model": "double@1"}]}}
            """));

        var members = GraphCompiler.CollectMembers(spec);

        Assert.Equal(["double@1", "double:production", "triple"], members.Select(m => m.ToString()));
        Assert.True(members[0].IsPinned);
        Assert.Equal("production", members[1].Alias);
    }

    [Fact]
    public void CanonicalJson_SameSpecWrittenDifferently_IsTheSameBytes()
    {
        var a = GraphSpec.Parse("""{"inputs":[{"name":"x","datatype":"FP32","shape":[-1,2]}],"root":{"name":"m","model":"double@1"}}"""u8);
        var b = GraphSpec.Parse("""{ "root": { "model": "double@1", "name": "m" }, "inputs": [ { "shape": [-1, 2], "datatype": "FP32", "name": "x" } ] }"""u8);

        Assert.Equal(a.ToCanonicalJson(), b.ToCanonicalJson());
        Assert.Equal(a.ToCanonicalJson(), GraphSpec.Parse(a.ToCanonicalJson()).ToCanonicalJson());
    }
}
