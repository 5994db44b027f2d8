using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Graphs;

/// <summary>
/// Compiles a switch or a splitter. Each branch sees the tensors before the node (not each other's); the node outputs the
/// tensors every branch outputs under the same name and datatype, whichever branch ran. A switch's conditions read
/// one-element tensors known before the switch.
/// </summary>
internal static class GraphBranchCompiler
{
    public static (PlanNode, List<(string, GraphTensor)>) Compile(GraphNode node, GraphScope scope, CompileContext context)
    {
        var weighted = node.EffectiveKind == GraphNodeKind.Splitter;
        var compiled = new List<(PlanNode Node, PlanCondition? Condition, int Weight, List<(string Name, GraphTensor Tensor)> Outputs)>();
        foreach (var branch in node.Branches!)
        {
            var condition = branch.When is null ? null : CompileCondition(node.Name, branch.When, scope);
            var (plan, outputs) = GraphCompiler.CompileChild(branch.Node, scope.Clone(), context);
            compiled.Add((plan, condition, branch.Weight ?? 0, outputs));
        }

        (PlanNode Node, List<(string Name, GraphTensor Tensor)> Outputs)? fallback = null;
        if (node.Default is not null)
        {
            fallback = GraphCompiler.CompileChild(node.Default, scope.Clone(), context);
        }

        var all = compiled.Select(c => c.Outputs).ToList();
        if (fallback is { } f)
        {
            all.Add(f.Outputs);
        }

        var common = CommonOutputs(node.Name, all);
        var slots = new int[common.Count];
        var result = new List<(string, GraphTensor)>(common.Count);
        for (var i = 0; i < common.Count; i++)
        {
            var tensor = context.NewSlot(common[i]);
            slots[i] = tensor.Slot;
            result.Add((common[i].Name, tensor));
        }

        int[] Sources(List<(string Name, GraphTensor Tensor)> outputs) => common.Select(c => outputs.First(o => o.Name == c.Name).Tensor.Slot).ToArray();

        var branches = compiled.Select(c => new PlanBranch(c.Node, c.Condition, c.Weight, Sources(c.Outputs))).ToArray();
        var defaultBranch = fallback is { } d ? new PlanBranch(d.Node, null, 0, Sources(d.Outputs)) : null;
        scope.AddOutputs(node.Name, result);
        return (new BranchPlanNode(node.Name, branches, defaultBranch, weighted, slots), result);
    }

    private static List<TensorSpec> CommonOutputs(string node, List<List<(string Name, GraphTensor Tensor)>> branches)
    {
        var common = new List<TensorSpec>();
        foreach (var (name, tensor) in branches[0])
        {
            var specs = branches.Select(b => b.FirstOrDefault(o => o.Name == name).Tensor.Spec).ToList();
            if (specs.Any(s => s is null || s.Datatype != tensor.Spec.Datatype || s.Shape.Length != tensor.Spec.Shape.Length))
            {
                continue;
            }

            var shape = tensor.Spec.Shape.Select((dim, d) => specs.All(s => s!.Shape[d] == dim) ? dim : -1).ToArray();
            common.Add(new TensorSpec(name, tensor.Spec.Datatype, shape));
        }

        return common.Count > 0
            ? common
            : throw ServingException.BadRequest(
                $"Graph node '{node}': its branches have no output in common (same name and datatype), so nothing after it could read its answer.");
    }

    private static PlanCondition CompileCondition(string node, GraphCondition when, GraphScope scope)
    {
        var source = scope.Find(when.Ref) ?? throw ServingException.BadRequest(
            $"Switch '{node}' tests {GraphCompiler.Quote(when.Ref)}, which is not a request input nor an output of a node before the switch: known are {scope.Describe()}.");
        if (source.Spec.Shape.All(d => d >= 0) && source.Spec.Shape.Aggregate(1L, (a, b) => a * b) != 1)
        {
            throw ServingException.BadRequest(
                $"Switch '{node}' tests '{when.Ref}' of shape {GraphCompiler.ShapeText(source.Spec.Shape)}: a condition reads a tensor of one element.");
        }

        var op = when.Op switch
        {
            "eq" => GraphConditionOp.Eq,
            "ne" => GraphConditionOp.Ne,
            "lt" => GraphConditionOp.Lt,
            "le" => GraphConditionOp.Le,
            "gt" => GraphConditionOp.Gt,
            "ge" => GraphConditionOp.Ge,
            "in" => GraphConditionOp.In,
            _ => throw ServingException.BadRequest($"Switch '{node}' has op {GraphCompiler.Quote(when.Op)}: use eq, ne, lt, le, gt, ge or in."),
        };
        var values = op == GraphConditionOp.In
            ? when.Value.ValueKind == JsonValueKind.Array && when.Value.GetArrayLength() is > 0 and <= 256
                ? when.Value.EnumerateArray().ToList()
                : throw ServingException.BadRequest($"Switch '{node}' op 'in' needs 'value' to be a list of 1 to 256 numbers or strings.")
            : [when.Value];
        var isString = source.Spec.Datatype == "BYTES";
        if (isString)
        {
            if (op is not (GraphConditionOp.Eq or GraphConditionOp.Ne or GraphConditionOp.In) || values.Any(v => v.ValueKind != JsonValueKind.String))
            {
                throw ServingException.BadRequest($"Switch '{node}' tests BYTES tensor '{when.Ref}': use eq, ne or in with string values.");
            }

            return new PlanCondition(when.Ref, source.Slot, op, [], values.Select(v => v.GetString()!).ToArray());
        }

        var numbers = values.Select(v => v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.True => 1,
            JsonValueKind.False => 0,
            _ => throw ServingException.BadRequest($"Switch '{node}' tests {source.Spec.Datatype} tensor '{when.Ref}': its value must be a number (or true/false)."),
        }).ToArray();
        return new PlanCondition(when.Ref, source.Slot, op, numbers, []);
    }
}
