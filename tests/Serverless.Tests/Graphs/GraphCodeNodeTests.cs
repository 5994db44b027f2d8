using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Tabular;
using Serverless.Core.Tabular.Steps;
using Serverless.Core.Tabular.Steps.Examples;

namespace Serverless.Tests.Graphs;

/// <summary>Code nodes (registered pre/post steps named by a graph) and post steps on a graph's records path.</summary>
public sealed class GraphCodeNodeTests : IDisposable
{
    private static readonly ModelVersion Graph = new("g", "1", "sha", 1, DateTimeOffset.UnixEpoch, null, [], [], "g/1/graph.json") { IsGraph = true };
    private static readonly TabularStepCatalog Catalog = new([new ConfidenceBandStep(), new CopyPToQ()]);
    private readonly GraphTestModels _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public void Compile_CodeNodesFirstAndLastInTheRootSequence_AreThePlansPreAndPostSteps()
    {
        var plan = GraphTestModels.Compile(Spec("""{"name": "fill", "kind": "code", "step": "copy_p_to_q"}""", """{"name": "band", "kind": "code", "step": "confidence_band"}"""), Catalog);

        Assert.Equal([new GraphCodeStep("fill", "copy_p_to_q")], plan.PreSteps);
        Assert.Equal([new GraphCodeStep("band", "confidence_band")], plan.PostSteps);
        Assert.Equal(["a", "b"], plan.Members.Select(m => m.Node));
    }

    [Theory]
    [InlineData("""{"name": "band", "kind": "code", "step": "nope"}""", null, "Graph node 'band' names code step 'nope', which is not registered in this app; it has 'confidence_band', 'copy_p_to_q'")]
    [InlineData("""{"name": "band", "kind": "code", "step": "confidence_band"}""", null, "Graph node 'band' runs before the graph's models, so it must name a pre step")]
    [InlineData(null, """{"name": "fill", "kind": "code", "step": "copy_p_to_q"}""", "Graph node 'fill' runs after the graph's models, so it must name a post step")]
    [InlineData("""{"name": "band", "kind": "code"}""", null, "Graph node 'band' is a code node without 'step'")]
    [InlineData("""{"name": "band", "kind": "code", "step": "confidence_band", "model": "double@1"}""", null, "has 'model'")]
    public void Compile_CodeNodeNamingNoStepOfItsSide_IsBadRequestNamingTheNode(string? first, string? last, string expected)
    {
        var error = Assert.Throws<ServingException>(() => GraphTestModels.Compile(Spec(first, last), Catalog));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("""{"name": "seq", "kind": "sequence", "steps": [{"name": "a", "model": "double@1"}, {"name": "band", "kind": "code", "step": "confidence_band"}, {"name": "b", "model": "triple@1"}]}""")]
    [InlineData("""{"name": "avg", "kind": "ensemble", "combine": "mean", "steps": [{"name": "a", "model": "double@1"}, {"name": "band", "kind": "code", "step": "confidence_band"}]}""")]
    [InlineData("""{"name": "band", "kind": "code", "step": "confidence_band"}""")]
    public void Compile_CodeNodeAnywhereButTheEndsOfTheRootSequence_IsBadRequestNamingIt(string root)
    {
        var error = Assert.Throws<ServingException>(() => GraphTestModels.Compile($$$"""{"inputs": {{{GraphTestModels.Inputs()}}}, "root": {{{root}}}}""", Catalog));

        Assert.Contains("Graph node 'band' (code step 'confidence_band') is not first or last in the root sequence", error.Message);
    }

    [Fact]
    public void Compile_WithoutACatalog_OnlyPlacesCodeNodes()
    {
        var plan = GraphTestModels.Compile(Spec(null, """{"name": "band", "kind": "code", "step": "not_here"}"""));

        Assert.Equal("not_here", plan.PostSteps.Single().Step);
    }

    [Fact]
    public async Task Records_ExitManifestsPostRuleAndAPostCodeNode_DecideTheAnswer_KeepingTheGraphsOwnPrediction()
    {
        var plan = GraphTestModels.Compile(Spec(null, """{"name": "band", "kind": "code", "step": "confidence_band"}"""), Catalog);
        var rule = """, "post": [{"kind": "rule", "name": "review", "when": "probability >= 0.5 and p < 1", "label": "review", "annotation": "refer"}]""";

        var records = GraphRecordsBinder.Derive(plan, Graph, [Binary("double", rule), Binary("triple", rule)], Catalog);
        var predictions = await PredictAsync(plan, records, """{"instances": [{"p": 0.1, "q": 0.2}, {"p": 0.3, "q": 0.1}]}""");

        Assert.Equal(("review", "1"), (predictions[0].Label, predictions[0].ModelPrediction!.Label));
        Assert.Equal(["refer", ConfidenceBandStep.Low], predictions[0].Annotations!);
        Assert.Equal(["review"], predictions[0].Rules!);
        Assert.Equal("0", predictions[1].Label);
        Assert.Equal([ConfidenceBandStep.Medium], predictions[1].Annotations!);
        Assert.Equal(2, records.Answer.Post.Count);
    }

    [Fact]
    public async Task Records_PreCodeNode_SetsAFieldTheRequestLeavesOut_BeforeTheGraphRuns()
    {
        var plan = GraphTestModels.Compile(Spec("""{"name": "fill", "kind": "code", "step": "copy_p_to_q"}""", null), Catalog);

        var records = GraphRecordsBinder.Derive(plan, Graph, [Binary("double"), Binary("triple")], Catalog);
        var predictions = await PredictAsync(plan, records, """{"instances": [{"p": 0.1}]}""");

        Assert.Equal([0.25, 0.25], predictions[0].Scores!, (x, y) => Math.Abs(x - y) < 1e-6);
    }

    [Fact]
    public void Records_ExitsPostStepReadingAFieldTheRowsDoNotHave_IsRefusedNamingIt()
    {
        var plan = GraphTestModels.Compile($$$"""
            {"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "featurize", "model": "double@1"}, {"name": "sum", "model": "row-sum@1", "inputs": {"features": "featurize.y"}}]}}
            """);
        var sum = TabularModel.Bind(ModelManifest.Parse(Encoding.UTF8.GetBytes("""
            {"task": "regression", "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}],
             "inputs": {"layout": "tensor", "name": "features"}, "outputs": {"value": "total"},
             "post": [{"kind": "rule", "when": "f1 > 0", "annotation": "positive"}]}
            """)), GraphTestModels.Version("row-sum"));

        var error = Assert.Throws<ServingException>(() => GraphRecordsBinder.Derive(plan, Graph, [Binary("double"), sum], Catalog));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("the post steps of member 'sum''s manifest and the graph's post code nodes cannot run on the rows member 'featurize''s manifest reads", error.Message);
        Assert.Contains("'post[0].when' reads 'f1'", error.Message);
    }

    [Fact]
    public async Task Records_GraphsOwnManifestWithPostSteps_DecidesTheAnswer()
    {
        var plan = GraphTestModels.Compile(Spec(null, null));
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes("""
            {"task": "binary", "features": [{"name": "u", "type": "numeric"}, {"name": "v", "type": "numeric"}],
             "inputs": {"layout": "tensor", "name": "x"}, "outputs": {"probability": "score"},
             "post": [{"kind": "label_map", "map": {"0": "stay", "1": "churn"}}]}
            """));

        var records = GraphRecords.FromGraphManifest(plan, manifest, Graph, Catalog);
        var predictions = await PredictAsync(plan, records, """{"instances": [{"u": 0.1, "v": 0.1}, {"u": 0.1, "v": 0.3}]}""");

        Assert.Equal(["stay", "churn"], predictions.Select(p => p.Label));
    }

    /// <summary>An ensemble of double and triple, averaged into "score", in a root sequence with the given code nodes first and last.</summary>
    private static string Spec(string? first, string? last)
    {
        var steps = new[] { first, """{"name": "avg", "kind": "ensemble", "combine": "mean", "output": "score", "steps": [{"name": "a", "model": "double@1"}, {"name": "b", "model": "triple@1"}]}""", last };
        return $$$"""{"inputs": {{{GraphTestModels.Inputs()}}}, "root": {"name": "seq", "kind": "sequence", "steps": [{{{string.Join(", ", steps.Where(s => s is not null))}}}]}}""";
    }

    private async Task<TabularPrediction[]> PredictAsync(GraphPlan plan, GraphRecords records, string body)
    {
        var batch = records.Features.CreateBatch();
        batch.AddRecordsJson(Encoding.UTF8.GetBytes(body));
        Assert.Empty(batch.Errors);
        var inputs = records.ToGraphInputs(batch, out var owned);
        using (owned)
        {
            using var run = await _models.Executor.RunAsync(plan, inputs, null, CancellationToken.None);
            return records.ReadPredictions(run.Outputs, batch);
        }
    }

    private static TabularModel Binary(string member, string more = "") => TabularModel.Bind(ModelManifest.Parse(Encoding.UTF8.GetBytes($$"""
        {"task": "binary", "features": [{"name": "p", "type": "numeric"}, {"name": "q", "type": "numeric"}],
         "inputs": {"layout": "tensor", "name": "x"}, "outputs": {"probability": "y"}{{more}}}
        """)), GraphTestModels.Version(member), Catalog);

    /// <summary>A pre step that sets q to p.</summary>
    private sealed class CopyPToQ : ITabularPreStep
    {
        public string Name => "copy_p_to_q";

        public IReadOnlyList<string> Sets => ["q"];

        public string? Apply(TabularRow row)
        {
            row.SetNumber("q", row.GetNumber("p"));
            return null;
        }
    }
}
