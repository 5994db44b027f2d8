using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;

namespace Serverless.Core.Graphs;

/// <summary>
/// Compiles an ensemble: its steps see the tensors before the ensemble but not each other's (they run in parallel); one
/// output of each (the step's <c>output</c>, else its first) is combined into the ensemble's output (its <c>output</c>, else
/// <c>output</c>). mean, weighted_mean and max take FP32 or FP64 of one shape; vote takes INT64 or INT32 labels of one shape;
/// concat joins along the last dimension.
/// </summary>
internal static class GraphEnsembleCompiler
{
    public const string DefaultOutputName = "output";

    public static (PlanNode, List<(string, GraphTensor)>) Compile(GraphNode node, GraphScope scope, CompileContext context)
    {
        var combine = node.Combine!.Value;
        var steps = new PlanNode[node.Steps!.Count];
        var memberSlots = new int[steps.Length];
        var memberSpecs = new TensorSpec[steps.Length];
        var stepOutputs = new List<(string Step, List<(string, GraphTensor)> Outputs)>();
        for (var i = 0; i < steps.Length; i++)
        {
            var step = node.Steps[i];
            (steps[i], var outputs) = GraphCompiler.CompileChild(step, scope.Clone(), context);
            var chosen = step.Output is null ? outputs.FirstOrDefault() : outputs.FirstOrDefault(o => o.Item1 == step.Output);
            if (chosen.Item1 is null)
            {
                throw ServingException.BadRequest(step.Output is null
                    ? $"Ensemble '{node.Name}' step '{step.Name}' has no output to combine."
                    : $"Ensemble '{node.Name}' step '{step.Name}' has no output {GraphCompiler.Quote(step.Output)}: it has {string.Join(", ", outputs.Select(o => $"'{o.Item1}'"))}.");
            }

            memberSlots[i] = chosen.Item2.Slot;
            memberSpecs[i] = chosen.Item2.Spec;
            stepOutputs.Add((step.Name, outputs));
        }

        foreach (var (step, outputs) in stepOutputs)
        {
            scope.AddOutputs(step, outputs);
        }

        var type = CheckTypes(node, combine, memberSpecs);
        var name = node.Output ?? DefaultOutputName;
        var spec = new TensorSpec(name, memberSpecs[0].Datatype, CombinedShape(node, combine, memberSpecs));
        var tensor = context.NewSlot(spec);
        List<(string, GraphTensor)> result = [(name, tensor)];
        scope.AddOutputs(node.Name, result);
        var weights = combine == GraphCombine.WeightedMean ? Normalise(node.Weights!) : [];
        return (new EnsemblePlanNode(node.Name, steps, memberSlots, combine, weights, type, tensor.Slot), result);
    }

    private static TensorElementType CheckTypes(GraphNode node, GraphCombine combine, TensorSpec[] specs)
    {
        var datatype = specs[0].Datatype;
        if (specs.Any(s => s.Datatype != datatype))
        {
            throw ServingException.BadRequest(
                $"Ensemble '{node.Name}' combines outputs of different datatypes ({string.Join(", ", specs.Select(s => $"'{s.Name}' {s.Datatype}"))}): they must be one datatype.");
        }

        OipDatatypes.TryToElementType(datatype, out var type);
        var allowed = combine switch
        {
            GraphCombine.Vote => type is TensorElementType.Int64 or TensorElementType.Int32,
            GraphCombine.Concat => type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Int64 or TensorElementType.Int32,
            _ => type is TensorElementType.Float or TensorElementType.Double,
        };
        if (!allowed)
        {
            var needs = combine switch
            {
                GraphCombine.Vote => "INT64 or INT32 labels",
                GraphCombine.Concat => "FP32, FP64, INT64 or INT32 tensors",
                _ => "FP32 or FP64 tensors",
            };
            throw ServingException.BadRequest($"Ensemble '{node.Name}' combines {datatype} outputs by {Name(combine)}, which needs {needs}.");
        }

        return type;
    }

    private static long[] CombinedShape(GraphNode node, GraphCombine combine, TensorSpec[] specs)
    {
        var rank = specs[0].Shape.Length;
        if (specs.Any(s => s.Shape.Length != rank) || (combine == GraphCombine.Concat && rank == 0))
        {
            throw ServingException.BadRequest(
                $"Ensemble '{node.Name}' combines outputs of different ranks ({string.Join(", ", specs.Select(s => $"'{s.Name}' {GraphCompiler.ShapeText(s.Shape)}"))}).");
        }

        var shape = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            var dims = specs.Select(s => s.Shape[d]).ToList();
            var last = combine == GraphCombine.Concat && d == rank - 1;
            var known = dims.Where(x => x >= 0).Distinct().ToList();
            if (!last && known.Count > 1)
            {
                throw ServingException.BadRequest(
                    $"Ensemble '{node.Name}' combines outputs whose dimension {d} differs ({string.Join(", ", specs.Select(s => $"'{s.Name}' {GraphCompiler.ShapeText(s.Shape)}"))}).");
            }

            shape[d] = last ? (dims.All(x => x >= 0) ? dims.Sum() : -1) : (known.Count == 1 && dims.All(x => x >= 0) ? known[0] : -1);
        }

        return shape;
    }

    private static double[] Normalise(IReadOnlyList<double> weights)
    {
        var sum = weights.Sum();
        return weights.Select(w => w / sum).ToArray();
    }

    internal static string Name(GraphCombine combine) => combine == GraphCombine.WeightedMean ? "weighted_mean" : combine.ToString().ToLowerInvariant();
}
