using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;

namespace Serverless.Tests.Graphs;

public sealed class GraphExecutorTests : IDisposable
{
    private static readonly float[][] Rows = [[1, 2], [3, -4]];
    private readonly GraphTestModels _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task Sequence_FeaturizerThenConsumer_EqualsRunningBothByHand()
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "seq", "kind": "sequence", "steps": [
               {"name": "featurize", "model": "double@1"},
               {"name": "sum", "model": "row-sum@1", "inputs": {"features": "featurize.y"}}]}}
            """;

        var (outputs, steps) = await _models.RunAsync(spec, GraphTestModels.Request(Rows));

        Assert.Equal([6.0, -2.0], outputs["total"]);
        Assert.Equal(["featurize", "sum"], steps.Select(s => s!.Node));
        Assert.All(steps, s => Assert.Equal("1", s!.Version));
    }

    [Theory]
    [InlineData("mean", null, new[] { 2.5, 4.5, 6.5, -7.5 })]
    [InlineData("weighted_mean", "[3, 1]", new[] { 2.75, 5.25, 7.75, -9.75 })]
    [InlineData("max", null, new[] { 3.0, 6.0, 9.0, -3.0 })]
    public async Task Ensemble_CombinesEachElement(string combine, string? weights, double[] expected)
    {
        var weightsJson = weights is null ? "" : $", \"weights\": {weights}";
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "ens", "kind": "ensemble", "combine": "{{{combine}}}"{{{weightsJson}}}, "steps": [
               {"name": "a", "model": "triple@1"}, {"name": "b", "model": "plus-one@1"}]}}
            """;

        var (outputs, _) = await _models.RunAsync(spec, GraphTestModels.Request(Rows));

        // triple: [3, 6, 9, -12]; plus-one: [2, 3, 4, -3]
        Assert.Equal(expected, outputs["output"]);
    }

    [Fact]
    public async Task Ensemble_Concat_JoinsAlongTheLastDimension()
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "ens", "kind": "ensemble", "combine": "concat", "output": "joined", "steps": [
               {"name": "a", "model": "double@1"}, {"name": "b", "model": "plus-one@1"}]}}
            """;

        var plan = GraphTestModels.Compile(spec);
        var (outputs, _) = await _models.RunAsync(spec, GraphTestModels.Request(Rows));

        Assert.Equal([2.0, 4, 2, 3, 6, -8, 4, -3], outputs["joined"]);
        Assert.Equal([-1L, 4], plan.OutputSpecs.Single().Shape);
    }

    [Fact]
    public async Task Ensemble_Vote_TakesTheMajorityLabelPerRow()
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "ens", "kind": "ensemble", "combine": "vote", "output": "label", "steps": [
               {"name": "a", "model": "pick-first@1"}, {"name": "b", "model": "pick-largest@1"}, {"name": "c", "model": "pick-second@1"}]}}
            """;

        var (outputs, _) = await _models.RunAsync(spec, GraphTestModels.Request([[5, 1], [0, 3]]));

        // first: [0, 0]; largest: [0, 1]; second: [1, 1]
        Assert.Equal([0.0, 1.0], outputs["label"]);
    }

    [Fact]
    public async Task Ensemble_EqualsItsMembersRunSeparately()
    {
        var mean = $$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "ens", "kind": "ensemble", "combine": "mean", "steps": [
               {"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}, {"name": "c", "model": "plus-one@1"}]}}
            """;
        var request = GraphTestModels.Request(Rows);

        var (combined, steps) = await _models.RunAsync(mean, request);
        var separately = new List<double[]>();
        foreach (var member in new[] { "double", "triple", "plus-one" })
        {
            var single = $$$"""{"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "m", "model": "{{{member}}}@1"}}""";
            separately.Add((await _models.RunAsync(single, request)).Outputs["y"]);
        }

        var expected = Enumerable.Range(0, 4).Select(i => (double)(float)(separately.Sum(s => s[i]) / 3)).ToArray();
        Assert.Equal(expected, combined["output"], (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(3, steps.Count(s => s is not null));
    }

    [Theory]
    [InlineData(1, 2.0)]
    [InlineData(2, 3.0)]
    [InlineData(7, 2.0)]
    public async Task Switch_RoutesByARequestTensor_ElseTheDefault(long segment, double firstElement)
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs("""{"name":"segment","datatype":"INT64","shape":[1]}""")}}},
             "root": {"name": "route", "kind": "switch",
               "branches": [{"when": {"ref": "$request.segment", "op": "in", "value": [1, 3]}, "node": {"name": "low", "model": "double@1"}},
                            {"when": {"ref": "$request.segment", "op": "eq", "value": 2}, "node": {"name": "high", "model": "triple@1"}}],
               "default": {"name": "other", "model": "double@1"}} }
            """;

        var (outputs, steps) = await _models.RunAsync(spec, GraphTestModels.Request(Rows, $$$"""{"name":"segment","datatype":"INT64","shape":[1],"data":[{{{segment}}}]}"""));

        Assert.Equal(firstElement, outputs["y"][0]);
        Assert.Single(steps, s => s is not null);
    }

    [Fact]
    public async Task Switch_NoConditionHoldsAndNoDefault_IsBadRequestNamingTheSwitchAndTheValue()
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs("""{"name":"segment","datatype":"INT64","shape":[1]}""")}}},
             "root": {"name": "route", "kind": "switch",
               "branches": [{"when": {"ref": "$request.segment", "op": "gt", "value": 5}, "node": {"name": "big", "model": "double@1"}}]}}
            """;

        var error = await Assert.ThrowsAsync<ServingException>(() =>
            _models.RunAsync(spec, GraphTestModels.Request(Rows, """{"name":"segment","datatype":"INT64","shape":[1],"data":[4]}""")));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("'route'", error.Message);
        Assert.Contains("'$request.segment' = 4", error.Message);
    }

    [Fact]
    public async Task Switch_OnAnEarlierStepsOutput_Routes()
    {
        var spec = $$$"""
            {"inputs": [{"name":"features","datatype":"FP32","shape":[1,2]}],
             "root": {"name": "seq", "kind": "sequence", "steps": [
               {"name": "sum", "model": "row-sum@1"},
               {"name": "route", "kind": "switch",
                "branches": [{"when": {"ref": "sum.total", "op": "ge", "value": 10}, "node": {"name": "big", "model": "triple@1", "inputs": {"x": "$request.features"}} }],
                "default": {"name": "small", "model": "double@1", "inputs": {"x": "$request.features"}} }]},
             "outputs": {"scaled": "route.y"}}
            """;

        var big = await _models.RunAsync(spec, """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,2],"data":[6,5]}]}""");
        var small = await _models.RunAsync(spec, """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,2],"data":[1,2]}]}""");

        Assert.Equal([18.0, 15.0], big.Outputs["scaled"]);
        Assert.Equal([2.0, 4.0], small.Outputs["scaled"]);
    }

    [Fact]
    public async Task Splitter_ChoosesEveryBranchByWeight()
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "ab", "kind": "splitter", "branches": [
               {"weight": 1, "node": {"name": "a", "model": "double@1"}}, {"weight": 1, "node": {"name": "b", "model": "triple@1"}}]}}
            """;

        var seen = new HashSet<double>();
        for (var i = 0; i < 64 && seen.Count < 2; i++)
        {
            seen.Add((await _models.RunAsync(spec, GraphTestModels.Request(Rows))).Outputs["y"][0]);
        }

        Assert.Equal([2.0, 3.0], seen.Order());
    }

    [Fact]
    public async Task StepSink_SeesEachMembersTensorsUnderItsOwnName()
    {
        var spec = $$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}},
             "root": {"name": "ens", "kind": "ensemble", "combine": "mean", "steps": [
               {"name": "a", "model": "double@1"}, {"name": "b", "model": "plus-one@1"}]}}
            """;
        var sink = new RecordingSink();

        await _models.RunAsync(spec, GraphTestModels.Request(Rows), sink);

        Assert.Equal(["double: x → y [2, 4, 6, -8]", "plus-one: x → y [2, 3, 4, -3]"], sink.Steps.Order());
    }

    private sealed class RecordingSink : IGraphStepSink
    {
        public List<string> Steps { get; } = [];

        public void OnStep(GraphMember member, IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames,
            IReadOnlyCollection<OrtValue> outputs)
        {
            var values = string.Join(", ", GraphTestModels.ToDoubles(outputs.First()));
            lock (Steps)
            {
                Steps.Add($"{member.Version.Name}: {string.Join(",", inputNames)} → {string.Join(",", outputNames)} [{values}]");
            }
        }
    }
}
