using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Protocol;

namespace Serverless.Core.Graphs;

/// <summary>
/// A graph compiled against the member versions it is served with (<see cref="GraphCompiler"/>): every tensor has a slot
/// number, every node knows the slots it reads and writes, and every mapping has been checked against the members'
/// signatures. Immutable and thread-safe: one plan serves any number of requests, each with its own slots (<see cref="GraphExecutor"/>).
/// </summary>
public sealed class GraphPlan : IInferSignature
{
    private readonly Dictionary<string, ModelInput> _inputsByName;
    private readonly HashSet<string> _outputNames;

    internal GraphPlan(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs, int[] outputSlots, PlanNode root, int slotCount,
        IReadOnlyList<GraphMember> members)
    {
        InputSpecs = inputs;
        OutputSpecs = outputs;
        OutputSlots = outputSlots;
        Root = root;
        SlotCount = slotCount;
        Members = members;
        Inputs = inputs.Select((spec, index) => ToInput(spec, index)).ToArray();
        _inputsByName = Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        OutputNames = outputs.Select(o => o.Name).ToArray();
        _outputNames = new HashSet<string>(OutputNames, StringComparer.Ordinal);
    }

    public IReadOnlyList<TensorSpec> InputSpecs { get; }

    public IReadOnlyList<TensorSpec> OutputSpecs { get; }

    public IReadOnlyList<ModelInput> Inputs { get; }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Every model node, in the order the spec lists them, with the version it was compiled against.</summary>
    public IReadOnlyList<GraphMember> Members { get; }

    /// <summary>The code nodes run on each row before the graph (records path only), in spec order.</summary>
    public IReadOnlyList<GraphCodeStep> PreSteps { get; init; } = [];

    /// <summary>The code nodes run on each prediction after the graph (records path only), in spec order.</summary>
    public IReadOnlyList<GraphCodeStep> PostSteps { get; init; } = [];

    internal int[] OutputSlots { get; }

    internal PlanNode Root { get; }

    internal int SlotCount { get; }

    public ModelInput? FindInput(string name) => _inputsByName.GetValueOrDefault(name);

    public bool HasOutput(string name) => _outputNames.Contains(name);

    /// <summary>A parsed request's input values in <see cref="Inputs"/> order (the parser has checked that each is present once).</summary>
    public OrtValue[] OrderInputs(InferRequest request)
    {
        var values = new OrtValue[Inputs.Count];
        for (var i = 0; i < request.InputNames.Count; i++)
        {
            values[_inputsByName[request.InputNames[i]].Index] = request.InputValues[i];
        }

        return values;
    }

    private static ModelInput ToInput(TensorSpec spec, int index)
    {
        OipDatatypes.TryToElementType(spec.Datatype, out var type);
        return new ModelInput(spec.Name, index, true, type, spec.Datatype, spec.Shape);
    }
}

/// <summary>A model node of a compiled graph: its name, what it names, and the version it runs.</summary>
public sealed record GraphMember(string Node, GraphMemberRef Reference, ModelVersion Version);

internal abstract record PlanNode(string Name);

internal sealed record ModelPlanNode(string Name, int MemberIndex, string[] InputNames, int[] InputSlots, string[] OutputNames, int[] OutputSlots) : PlanNode(Name);

internal sealed record SequencePlanNode(string Name, PlanNode[] Steps) : PlanNode(Name);

internal sealed record EnsemblePlanNode(string Name, PlanNode[] Steps, int[] MemberSlots, GraphCombine Combine, double[] Weights, TensorElementType ElementType, int OutputSlot)
    : PlanNode(Name);

/// <summary>A switch or splitter: one branch runs and its outputs are copied (as references) to the node's own slots.</summary>
internal sealed record BranchPlanNode(string Name, PlanBranch[] Branches, PlanBranch? Default, bool Weighted, int[] OutputSlots) : PlanNode(Name);

internal sealed record PlanBranch(PlanNode Node, PlanCondition? Condition, int Weight, int[] SourceSlots);

internal sealed record PlanCondition(string Reference, int Slot, GraphConditionOp Op, double[] Numbers, string[] Strings);

internal enum GraphConditionOp
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}
