using System.Text.RegularExpressions;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Graphs;

/// <summary>
/// Checks a <see cref="GraphSpec"/> and compiles it to a <see cref="GraphPlan"/> against the versions its members resolve to:
/// every node name unique, every kind with the fields it needs and none it ignores, every reference to a tensor that exists
/// before the node runs (so no cycle can be written), every mapping equal in datatype and compatible in shape to the member
/// input it feeds, every combination and condition typed. A refusal is BadRequest naming the node. Stateless and thread-safe.
/// </summary>
public static partial class GraphCompiler
{
    /// <summary>A request input is referenced as <c>$request.{name}</c>; a node's output as <c>{node}.{output}</c>.</summary>
    public const string RequestPrefix = "$request.";

    /// <summary>The member models a spec names (distinct, in the order they first appear), after checking its structure.</summary>
    public static IReadOnlyList<GraphMemberRef> CollectMembers(GraphSpec spec)
    {
        var members = new List<GraphMemberRef>();
        Walk(spec.Root, 1, new HashSet<string>(StringComparer.Ordinal), node =>
        {
            var member = GraphMemberRef.Parse(node.Model, node.Name);
            if (!members.Contains(member))
            {
                members.Add(member);
            }
        });
        return members;
    }

    /// <summary>
    /// Compiles <paramref name="spec"/> with each member resolved by <paramref name="versions"/> (every member of <see cref="CollectMembers"/>).
    /// With <paramref name="steps"/>, every code node must name a registered step of its side; without, code nodes are only placed.
    /// </summary>
    public static GraphPlan Compile(GraphSpec spec, IReadOnlyDictionary<GraphMemberRef, ModelVersion> versions, TabularStepCatalog? steps = null)
    {
        CollectMembers(spec);
        var (tree, pre, post) = GraphCodeNodes.Split(spec.Root, steps);
        var context = new CompileContext(versions);
        var scope = new GraphScope();
        var inputs = CheckInputs(spec.Inputs);
        foreach (var input in inputs)
        {
            scope.Add(RequestPrefix + input.Name, context.NewSlot(input));
        }

        var (root, rootOutputs) = CompileNode(tree, scope, context);
        var outputs = new List<TensorSpec>();
        var outputSlots = new List<int>();
        if (spec.Outputs is null)
        {
            foreach (var (name, tensor) in rootOutputs)
            {
                outputs.Add(tensor.Spec with { Name = name });
                outputSlots.Add(tensor.Slot);
            }
        }
        else
        {
            if (spec.Outputs.Count == 0)
            {
                throw ServingException.BadRequest("The graph's 'outputs' is empty: name at least one output, or leave 'outputs' out for the root node's.");
            }

            foreach (var (name, reference) in spec.Outputs)
            {
                CheckTensorName(name, "graph output");
                var tensor = scope.Find(reference) ?? throw ServingException.BadRequest(
                    $"Graph output '{name}' reads {Quote(reference)}, which no node outputs at the end of the graph: known are {scope.Describe()}.");
                outputs.Add(tensor.Spec with { Name = name });
                outputSlots.Add(tensor.Slot);
            }
        }

        return new GraphPlan(inputs, outputs, outputSlots.ToArray(), root, context.SlotCount, context.Members) { PreSteps = pre, PostSteps = post };
    }

    private static (PlanNode Node, List<(string Name, GraphTensor Tensor)> Outputs) CompileNode(GraphNode node, GraphScope scope, CompileContext context) =>
        node.EffectiveKind switch
        {
            GraphNodeKind.Model => CompileModel(node, scope, context),
            GraphNodeKind.Sequence => CompileSequence(node, scope, context),
            GraphNodeKind.Ensemble => GraphEnsembleCompiler.Compile(node, scope, context),
            GraphNodeKind.Code => throw GraphCodeNodes.Misplaced(node),
            _ => GraphBranchCompiler.Compile(node, scope, context),
        };

    internal static (PlanNode Node, List<(string Name, GraphTensor Tensor)> Outputs) CompileChild(GraphNode node, GraphScope scope, CompileContext context) =>
        CompileNode(node, scope, context);

    private static (PlanNode, List<(string, GraphTensor)>) CompileModel(GraphNode node, GraphScope scope, CompileContext context)
    {
        var reference = GraphMemberRef.Parse(node.Model, node.Name);
        var version = context.Versions.TryGetValue(reference, out var resolved)
            ? resolved
            : throw ServingException.BadRequest($"Graph node '{node.Name}' names model {Quote(reference.ToString())}, which was not resolved.");
        if (node.Inputs is not null)
        {
            foreach (var mapped in node.Inputs.Keys)
            {
                if (!version.Inputs.Any(i => i.Name == mapped))
                {
                    throw ServingException.BadRequest(
                        $"Graph node '{node.Name}' maps input {Quote(mapped)}, which {reference} (version {version.Version}) does not have: its inputs are {Names(version.Inputs)}.");
                }
            }
        }

        var inputNames = new string[version.Inputs.Count];
        var inputSlots = new int[version.Inputs.Count];
        for (var i = 0; i < version.Inputs.Count; i++)
        {
            var input = version.Inputs[i];
            GraphTensor source;
            if (node.Inputs?.TryGetValue(input.Name, out var mapping) == true)
            {
                source = scope.Find(mapping) ?? throw ServingException.BadRequest(
                    $"Graph node '{node.Name}' maps input '{input.Name}' from {Quote(mapping)}, which is not a request input nor an output of a node that runs before it: known are {scope.Describe()}.");
            }
            else
            {
                source = scope.FindByName(input.Name) ?? throw ServingException.BadRequest(
                    $"Graph node '{node.Name}' does not map {reference}'s input '{input.Name}', and neither the request nor an earlier node has a tensor of that name: map it in 'inputs'.");
            }

            CheckFits(source.Spec, input, $"Graph node '{node.Name}' input '{input.Name}'");
            inputNames[i] = input.Name;
            inputSlots[i] = source.Slot;
        }

        var member = context.AddMember(new GraphMember(node.Name, reference, version));
        var outputs = new List<(string, GraphTensor)>(version.Outputs.Count);
        var outputNames = new string[version.Outputs.Count];
        var outputSlots = new int[version.Outputs.Count];
        for (var i = 0; i < version.Outputs.Count; i++)
        {
            var tensor = context.NewSlot(version.Outputs[i]);
            outputNames[i] = version.Outputs[i].Name;
            outputSlots[i] = tensor.Slot;
            outputs.Add((outputNames[i], tensor));
        }

        scope.AddOutputs(node.Name, outputs);
        return (new ModelPlanNode(node.Name, member, inputNames, inputSlots, outputNames, outputSlots), outputs);
    }

    private static (PlanNode, List<(string, GraphTensor)>) CompileSequence(GraphNode node, GraphScope scope, CompileContext context)
    {
        var steps = new PlanNode[node.Steps!.Count];
        List<(string, GraphTensor)> last = [];
        for (var i = 0; i < steps.Length; i++)
        {
            (steps[i], last) = CompileNode(node.Steps[i], scope, context);
        }

        scope.AddOutputs(node.Name, last);
        return (new SequencePlanNode(node.Name, steps), last);
    }

    /// <summary>A tensor fits an input when the datatypes are equal and the shapes have one rank and equal dimensions where both are known.</summary>
    internal static void CheckFits(TensorSpec source, TensorSpec target, string what)
    {
        if (source.Datatype != target.Datatype)
        {
            throw ServingException.BadRequest($"{what} is {target.Datatype} {ShapeText(target.Shape)} but is fed {source.Datatype} {ShapeText(source.Shape)} from '{source.Name}'.");
        }

        if (!ShapesFit(source.Shape, target.Shape))
        {
            throw ServingException.BadRequest($"{what} has shape {ShapeText(target.Shape)} but is fed shape {ShapeText(source.Shape)} from '{source.Name}'.");
        }
    }

    internal static bool ShapesFit(long[] a, long[] b) => a.Length == b.Length && a.Zip(b).All(d => d.First < 0 || d.Second < 0 || d.First == d.Second);

    internal static string ShapeText(long[] shape) => "[" + string.Join(",", shape) + "]";

    internal static string Quote(string? value) => Storage.DataText.Quote(value);

    private static string Names(IEnumerable<TensorSpec> specs) => string.Join(", ", specs.Select(s => $"'{s.Name}'"));

    private static List<TensorSpec> CheckInputs(IReadOnlyList<TensorSpec>? inputs)
    {
        if (inputs is not { Count: > 0 })
        {
            throw ServingException.BadRequest("The graph declares no 'inputs': list its input tensors with name, datatype and shape.");
        }

        if (inputs.Count > GraphSpec.MaxNodes)
        {
            throw ServingException.BadRequest($"A graph may declare at most {GraphSpec.MaxNodes} inputs (was {inputs.Count}).");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            CheckTensorName(input?.Name, "graph input");
            if (!names.Add(input!.Name))
            {
                throw ServingException.BadRequest($"The graph declares input '{input.Name}' twice.");
            }

            if (input.Datatype is null || !OipDatatypes.TryToElementType(input.Datatype, out _))
            {
                throw ServingException.BadRequest($"Graph input '{input.Name}' has datatype {Quote(input.Datatype)}: use an OIP datatype such as FP32, INT64 or BYTES.");
            }

            if (input.Shape is not { Length: > 0 and <= 8 } || input.Shape.Any(d => d < -1))
            {
                throw ServingException.BadRequest($"Graph input '{input.Name}' needs a shape of 1 to 8 dimensions, each -1 (any) or a size.");
            }
        }

        return inputs.ToList();
    }

    private static void CheckTensorName(string? name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || name.Any(char.IsControl))
        {
            throw ServingException.BadRequest($"A {what} needs a name of 1 to 128 printable characters (was {Quote(name)}).");
        }
    }

    private static void Walk(GraphNode? node, int depth, HashSet<string> names, Action<GraphNode> model)
    {
        if (node is null)
        {
            throw ServingException.BadRequest("The graph has a null node: every step and branch needs a node object.");
        }

        if (!NodeNamePattern().IsMatch(node.Name ?? ""))
        {
            throw ServingException.BadRequest($"Graph node name {Quote(node.Name)} is invalid: use 1-63 letters, digits, '-' or '_', starting with a letter.");
        }

        if (!names.Add(node.Name!))
        {
            throw ServingException.BadRequest($"Graph node name '{node.Name}' is used twice: node names are unique in a graph.");
        }

        if (names.Count > GraphSpec.MaxNodes || depth > GraphSpec.MaxDepth)
        {
            throw ServingException.BadRequest($"A graph may have at most {GraphSpec.MaxNodes} nodes nested at most {GraphSpec.MaxDepth} deep (node '{node.Name}' is past that).");
        }

        GraphNodeRules.Check(node);
        if (node.EffectiveKind == GraphNodeKind.Model)
        {
            model(node);
        }

        foreach (var child in node.Steps ?? [])
        {
            Walk(child, depth + 1, names, model);
        }

        foreach (var branch in node.Branches ?? [])
        {
            Walk(branch?.Node, depth + 1, names, model);
        }

        if (node.Default is not null)
        {
            Walk(node.Default, depth + 1, names, model);
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NodeNamePattern();
}
