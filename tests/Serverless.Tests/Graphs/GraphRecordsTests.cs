using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Tests.Graphs;

public sealed class GraphRecordsTests : IDisposable
{
    private static readonly ModelVersion Graph = new("g", "1", "sha", 1, DateTimeOffset.UnixEpoch, null, [], [], "g/1/graph.json") { IsGraph = true };
    private readonly GraphTestModels _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task Derive_EnsembleOfMembersWithOneManifest_ReadsRowsWithTheEntryAndAnswersTheMeanWithTheExit()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "avg", "kind": "ensemble", "combine": "mean", "output": "score",
             "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}}
            """);

        var records = GraphRecordsBinder.Derive(plan, Graph, [Binary("double", "p", "q"), Binary("triple", "p", "q")]);
        var predictions = await PredictAsync(plan, records, """{"instances": [{"p": 0.1, "q": 0.2}]}""");

        Assert.Equal(("a", "a"), (records.EntryNode, records.ExitNode));
        Assert.Equal([0.25, 0.5], predictions[0].Scores!, (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal("1", predictions[0].Label);
    }

    [Fact]
    public async Task Derive_SequenceOfFeaturizerAndRegression_ReadsTheFeaturizersFieldsAndTheRegressionsValue()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "featurize", "model": "double@1"}, {"name": "sum", "model": "row-sum@1", "inputs": {"features": "featurize.y"}}]}}
            """);

        var records = GraphRecordsBinder.Derive(plan, Graph, [Binary("double", "p", "q"), Regression("row-sum")]);
        var predictions = await PredictAsync(plan, records, """{"instances": [{"p": 1, "q": 2}, {"p": 3, "q": -4}]}""");

        Assert.Equal(("featurize", "sum"), (records.EntryNode, records.ExitNode));
        Assert.Equal([6.0, -2.0], predictions.Select(p => p.Value!.Value));
    }

    [Fact]
    public void Derive_EnsembleMembersWhoseManifestsOrderTheFeaturesDifferently_IsRefusedNamingBoth()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "avg", "kind": "ensemble", "combine": "mean",
             "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}}
            """);

        var error = Assert.Throws<ServingException>(() => GraphRecordsBinder.Derive(plan, Graph, [Binary("double", "p", "q"), Binary("triple", "q", "p")]));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("members 'a' and 'b' read graph input 'x' with different features", error.Message);
        Assert.Contains("PUT /api/models/g/versions/1/manifest", error.Message);
    }

    [Fact]
    public void Derive_NoMemberWithAManifestReadsTheRequest_IsRefusedSayingSo()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "featurize", "model": "double@1"}, {"name": "sum", "model": "row-sum@1", "inputs": {"features": "featurize.y"}}]}}
            """);

        var error = Assert.Throws<ServingException>(() => GraphRecordsBinder.Derive(plan, Graph, [null, Regression("row-sum")]));

        Assert.Contains("no member with a manifest reads every graph input ('x')", error.Message);
    }

    [Fact]
    public void Derive_ConcatEnsemble_HasNoExitAndIsRefused()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "both", "kind": "ensemble", "combine": "concat",
             "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}}
            """);

        var error = Assert.Throws<ServingException>(() => GraphRecordsBinder.Derive(plan, Graph, [Binary("double", "p", "q"), Binary("triple", "p", "q")]));

        Assert.Contains("no member with a manifest produces one of the graph's outputs ('output')", error.Message);
    }

    [Fact]
    public void Derive_AGraphInputNoMembersManifestFills_IsRefusedNamingTheInputs()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs("""{"name":"tier","datatype":"INT64","shape":[1]}""")}}}, "root": {"name": "route", "kind": "switch",
             "branches": [{"when": {"ref": "$request.tier", "op": "eq", "value": 1}, "node": {"name": "low", "model": "double@1"}}],
             "default": {"name": "high", "model": "triple@1"}} }
            """);

        var error = Assert.Throws<ServingException>(() => GraphRecordsBinder.Derive(plan, Graph, [Binary("double", "p", "q"), Binary("triple", "p", "q")]));

        Assert.Contains("no member with a manifest reads every graph input ('x', 'tier')", error.Message);
    }

    [Fact]
    public void Derive_SplitterBranchesWhoseManifestsReadTheOutputDifferently_IsRefusedNamingBoth()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "split", "kind": "splitter",
             "branches": [{"weight": 1, "node": {"name": "low", "model": "double@1"}}, {"weight": 1, "node": {"name": "high", "model": "triple@1"}}]}}
            """);

        var error = Assert.Throws<ServingException>(() =>
            GraphRecordsBinder.Derive(plan, Graph, [Binary("double", "p", "q"), Binary("triple", "p", "q", labels: """["yes", "no"]""")]));

        Assert.Contains("members 'low' and 'high' both produce graph output 'y' but their manifests read it differently", error.Message);
    }

    [Fact]
    public async Task FromGraphManifest_ReadsRowsIntoTheGraphsInputsAndItsOutput()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "avg", "kind": "ensemble", "combine": "mean", "output": "score",
             "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}}
            """);
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes("""
            {"task": "binary", "features": [{"name": "u", "type": "numeric"}, {"name": "v", "type": "numeric"}],
             "inputs": {"layout": "tensor", "name": "x"}, "outputs": {"probability": "score"}}
            """));

        var records = GraphRecords.FromGraphManifest(plan, manifest);
        var predictions = await PredictAsync(plan, records, """{"instances": [{"u": 0.1, "v": 0.1}]}""");

        Assert.Null(records.EntryNode);
        Assert.Equal([0.25, 0.25], predictions[0].Scores!, (x, y) => Math.Abs(x - y) < 1e-6);
    }

    private async Task<TabularPrediction[]> PredictAsync(GraphPlan plan, GraphRecords records, string body)
    {
        var batch = records.Features.CreateBatch();
        batch.AddRecordsJson(Encoding.UTF8.GetBytes(body));
        var inputs = records.ToGraphInputs(batch, out var owned);
        using (owned)
        {
            using var run = await _models.Executor.RunAsync(plan, inputs, null, CancellationToken.None);
            return records.ReadPredictions(run.Outputs, batch);
        }
    }

    /// <summary>A member's manifest reading its FP32 [N, 2] "x" as two features and its "y" as binary probabilities.</summary>
    private static TabularModel Binary(string member, string first, string second, string? labels = null) => TabularModel.Bind(ModelManifest.Parse(Encoding.UTF8.GetBytes($$"""
        {"task": "binary", "features": [{"name": "{{first}}", "type": "numeric"}, {"name": "{{second}}", "type": "numeric"}],
         "inputs": {"layout": "tensor", "name": "x"}, "outputs": {"probability": "y"}{{(labels is null ? "" : ", \"class_labels\": " + labels)}}}
        """)), GraphTestModels.Version(member));

    private static TabularModel Regression(string member) => TabularModel.Bind(ModelManifest.Parse(Encoding.UTF8.GetBytes("""
        {"task": "regression", "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}],
         "inputs": {"layout": "tensor", "name": "features"}, "outputs": {"value": "total"}}
        """)), GraphTestModels.Version(member));
}
