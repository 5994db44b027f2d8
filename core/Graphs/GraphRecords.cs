using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Core.Graphs;

/// <summary>
/// How a graph serves the records API (and batch scoring): which manifest turns a row's fields into the graph's input tensors
/// (<see cref="Features"/>) and which reads the graph's output into one prediction per row (<see cref="Predictions"/>).
/// Either the graph's own manifest (registered on the graph version like a model's, bound to the graph's signature), or, without
/// one, derived from its members (<see cref="GraphRecordsBinder"/>): the entry member's manifest decodes the rows, the exit
/// member's writes the answer. Immutable and thread-safe.
/// </summary>
public sealed class GraphRecords
{
    private readonly IReadOnlyDictionary<string, int> _inputIndexes;
    private readonly int _inputCount;

    internal GraphRecords(TabularModel features, IReadOnlyDictionary<string, int> inputIndexes, int inputCount, TabularModel predictions, int outputIndex, string? entryNode, string? exitNode)
    {
        Features = features;
        _inputIndexes = inputIndexes;
        _inputCount = inputCount;
        Predictions = predictions;
        OutputIndex = outputIndex;
        EntryNode = entryNode;
        ExitNode = exitNode;
    }

    /// <summary>The manifest the rows are read with (its features, checks and layout).</summary>
    public TabularModel Features { get; }

    /// <summary>The manifest the graph's output is read with (task, class labels, threshold).</summary>
    public TabularModel Predictions { get; }

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

    /// <summary>One prediction per row from a run's outputs (in <see cref="GraphPlan.OutputNames"/> order).</summary>
    public TabularPrediction[] ReadPredictions(IReadOnlyList<OrtValue> outputs, int rowCount) =>
        Predictions.ReadPredictions([Predictions.OutputNames[0]], [outputs[OutputIndex]], rowCount);

    /// <summary>Binds the graph's own manifest: its features are the graph's inputs, its outputs the graph's outputs.</summary>
    internal static GraphRecords FromGraphManifest(GraphPlan plan, ModelManifest manifest)
    {
        TabularModel tabular;
        try
        {
            tabular = TabularModel.Bind(manifest, plan.InputSpecs, plan.OutputSpecs);
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

        return new GraphRecords(tabular, indexes, plan.Inputs.Count, tabular, IndexOf(plan.OutputNames, tabular.OutputNames[0]), null, null);
    }

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
