using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Graphs;

/// <summary>
/// How a graph serves the records API (and batch scoring): which manifest turns a row's fields into the graph's input tensors
/// (<see cref="Features"/>) and which reads the graph's output into one prediction per row (<see cref="Predictions"/>).
/// Either the graph's own manifest (registered on the graph version like a model's, bound to the graph's signature), or, without
/// one, derived from its members (<see cref="GraphRecordsBinder"/>): the entry member's manifest decodes the rows, the exit
/// member's writes the answer. The answer then goes through the post steps of the manifest that writes it and the graph's post code
/// nodes, as a model's records answer goes through its manifest's (rows through the graph's pre code nodes after the reading manifest's
/// own pre steps), so the records API and batch scoring answer a row alike. Immutable and thread-safe.
/// </summary>
public sealed class GraphRecords
{
    private readonly IReadOnlyDictionary<string, int> _inputIndexes;
    private readonly int _inputCount;
    private readonly PostStepProgram? _post;

    private GraphRecords(TabularModel features, IReadOnlyDictionary<string, int> inputIndexes, int inputCount, TabularModel predictions, ModelManifest answer,
        PostStepProgram? post, int outputIndex, string? entryNode, string? exitNode)
    {
        Features = features;
        _inputIndexes = inputIndexes;
        _inputCount = inputCount;
        Predictions = predictions;
        Answer = answer;
        _post = post;
        OutputIndex = outputIndex;
        EntryNode = entryNode;
        ExitNode = exitNode;
    }

    /// <summary>The manifest the rows are read with (its features, checks and layout).</summary>
    public TabularModel Features { get; }

    /// <summary>The manifest the graph's output is read with (task, class labels, threshold).</summary>
    public TabularModel Predictions { get; }

    /// <summary>
    /// How answers are written: <see cref="Predictions"/>' manifest with every post step the answer goes through (its own, then the
    /// graph's post code nodes), so batch output has the columns post steps add.
    /// </summary>
    public ModelManifest Answer { get; }

    /// <summary>Whether any post step may change a prediction.</summary>
    public bool HasPostSteps => _post is not null;

    /// <summary>The graph output (index into <see cref="GraphPlan.OutputNames"/>) the predictions are read from.</summary>
    public int OutputIndex { get; }

    /// <summary>The member node whose manifest decodes the rows; null when the graph's own manifest does.</summary>
    public string? EntryNode { get; }

    /// <summary>The member node whose manifest reads the answer; null when the graph's own manifest does.</summary>
    public string? ExitNode { get; }

    /// <summary>
    /// The graph's inputs (in <see cref="GraphPlan.Inputs"/> order) for the batch's rows: the values <see cref="Features"/> builds,
    /// owned by <paramref name="inputs"/> (the caller disposes it after the run).
    /// </summary>
    public OrtValue[] ToGraphInputs(FeatureBatch batch, out TabularInputs inputs)
    {
        inputs = Features.ToInputs(batch);
        var values = new OrtValue[_inputCount];
        for (var i = 0; i < inputs.Values.Count; i++)
        {
            if (_inputIndexes.TryGetValue(inputs.Names[i], out var index))
            {
                values[index] = inputs.Values[i];
            }
        }

        return values;
    }

    /// <summary>
    /// One prediction per row of <paramref name="batch"/> from a run's outputs (in <see cref="GraphPlan.OutputNames"/> order), through
    /// the post steps (<see cref="Answer"/>): a row a step changed keeps the graph's own prediction in <see cref="TabularPrediction.ModelPrediction"/>.
    /// </summary>
    public TabularPrediction[] ReadPredictions(IReadOnlyList<OrtValue> outputs, FeatureBatch batch)
    {
        var predictions = Predictions.ReadPredictions([Predictions.OutputNames[0]], [outputs[OutputIndex]], batch.RowCount);
        _post?.Apply(batch, predictions);
        return predictions;
    }

    /// <summary>Binds the graph's own manifest: its features are the graph's inputs, its outputs the graph's outputs.</summary>
    internal static GraphRecords FromGraphManifest(GraphPlan plan, ModelManifest manifest, ModelVersion? graph = null, TabularStepCatalog? steps = null)
    {
        TabularModel tabular;
        try
        {
            tabular = TabularModel.Bind(manifest, plan.InputSpecs, plan.OutputSpecs, steps);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
            throw ServingException.Conflict($"The graph's manifest no longer fits the graph as its members resolve now: {e.Message}");
        }

        var indexes = plan.Inputs.ToDictionary(i => i.Name, i => i.Index, StringComparer.Ordinal);
        var missing = plan.Inputs.Select(i => i.Name).Except(InputNames(manifest)).ToList();
        if (missing.Count > 0)
        {
            throw ServingException.BadRequest($"The graph's manifest fills no value for graph input(s) {Storage.DataText.List(missing)}.");
        }

        return Create(plan, graph, tabular, (plan.InputSpecs, plan.OutputSpecs), indexes, tabular, IndexOf(plan.OutputNames, tabular.OutputNames[0]), null, null, steps);
    }

    /// <summary>
    /// The binding with the graph's code nodes added: pre code nodes after <paramref name="features"/>' own pre steps (rebound to
    /// <paramref name="signature"/>, the signature it was bound to), post code nodes after <paramref name="predictions"/>' own post
    /// steps, compiled against the features the rows hold. A step that cannot run there is a BadRequest saying why.
    /// </summary>
    internal static GraphRecords Create(GraphPlan plan, ModelVersion? graph, TabularModel features, (IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs) signature,
        IReadOnlyDictionary<string, int> indexes, TabularModel predictions, int outputIndex, string? entryNode, string? exitNode, TabularStepCatalog? steps)
    {
        steps ??= TabularStepCatalog.Empty;
        if (plan.PreSteps.Count > 0)
        {
            var manifest = features.Manifest with { Pre = [.. features.Manifest.Pre, .. plan.PreSteps.Select(s => new CodePreStepSpec(s.Node, s.Step))] };
            try
            {
                features = TabularModel.Bind(manifest, signature.Inputs, signature.Outputs, steps);
            }
            catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
            {
                throw NotRecords(graph, $"its pre code nodes cannot run on the rows {Reader(entryNode)} reads: {e.Message}");
            }
        }

        var answer = predictions.Manifest with { Post = [.. predictions.Manifest.Post, .. plan.PostSteps.Select(s => new CodePostStepSpec(s.Node, s.Step))] };
        PostStepProgram? post;
        try
        {
            // Compiled against the rows' features (the reading manifest's), which the steps read by index.
            post = TabularSteps.CompilePost(answer with { Features = features.Manifest.Features }, steps);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
            var whose = exitNode is null ? "the graph's manifest and post code nodes" : $"member '{exitNode}''s manifest and the graph's post code nodes";
            throw NotRecords(graph, $"the post steps of {whose} cannot run on the rows {Reader(entryNode)} reads: {e.Message}");
        }

        return new GraphRecords(features, indexes, plan.Inputs.Count, predictions, answer, post, outputIndex, entryNode, exitNode);
    }

    /// <summary>A refusal to serve <paramref name="graph"/> as records, saying why and how to fix it.</summary>
    internal static ServingException NotRecords(ModelVersion? graph, string why) => ServingException.BadRequest(graph is null
        ? $"The inference graph cannot be served as records: {why}."
        : $"Inference graph '{graph.Name}' version '{graph.Version}' cannot be served as records: {why}. Register a manifest over the graph's own inputs and " +
          $"outputs (PUT /api/models/{graph.Name}/versions/{graph.Version}/manifest) to say how, or send tensors to the Open Inference Protocol API " +
          $"(POST /api/v2/models/{graph.Name}/versions/{graph.Version}/infer).");

    private static string Reader(string? entryNode) => entryNode is null ? "the graph's manifest" : $"member '{entryNode}''s manifest";

    /// <summary>The model inputs a manifest fills: the tensor layout's one input, else one per feature.</summary>
    internal static IEnumerable<string> InputNames(ModelManifest manifest) =>
        manifest.Inputs.Layout == InputLayout.Tensor ? [manifest.Inputs.Name!] : manifest.Features.Select(f => f.Name);

    internal static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
