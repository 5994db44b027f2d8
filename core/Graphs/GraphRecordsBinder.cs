using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Storage;
using Serverless.Core.Tabular;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Graphs;

/// <summary>
/// Derives a graph's <see cref="GraphRecords"/> from its members' manifests, as a KServe InferenceGraph hands the request to its
/// first step and answers with its last step's answer:
/// <list type="bullet">
/// <item>entry: the first member (in spec order) with a manifest that reads every graph input straight from the request, each
/// into its own member input. Its manifest decodes the rows. Every other member with a manifest that reads a graph input must put
/// the same features in it (an ensemble of models with differently ordered features cannot share one row's tensor);</item>
/// <item>exit: the first graph output that a member with a manifest produces under the name its manifest reads (through
/// sequences, switch and splitter branches, and mean, weighted_mean, max or vote ensembles; not concat, which changes the
/// shape). Its manifest reads the answer; every producer of that output with a manifest must read it alike (task, class labels, threshold).</item>
/// </list>
/// A graph for which either cannot be found or is ambiguous is refused with BadRequest saying why and how to fix it (register
/// a manifest on the graph version, which then decides). Stateless and thread-safe.
/// </summary>
internal static class GraphRecordsBinder
{
    /// <summary>Derives the binding; <paramref name="members"/>[i] is <see cref="GraphPlan.Members"/>[i]'s bound manifest, or null.</summary>
    /// <remarks>The members' manifests are bound with <paramref name="steps"/>, the catalog the graph's code nodes are found in.</remarks>
    public static GraphRecords Derive(GraphPlan plan, ModelVersion graph, IReadOnlyList<TabularModel?> members, TabularStepCatalog? steps = null)
    {
        var (entry, indexes) = FindEntry(plan, graph, members);
        var (exit, output) = FindExit(plan, graph, members);
        var version = plan.Members[entry.MemberIndex].Version;
        return GraphRecords.Create(plan, graph, members[entry.MemberIndex]!, (version.Inputs, version.Outputs), indexes, members[exit]!, output, entry.Name,
            plan.Members[exit].Node, steps);
    }

    private static (ModelPlanNode Node, Dictionary<string, int> Indexes) FindEntry(GraphPlan plan, ModelVersion graph, IReadOnlyList<TabularModel?> members)
    {
        var inputCount = plan.Inputs.Count;
        var nodes = ModelNodes(plan.Root).ToList();
        ModelPlanNode? entry = null;
        foreach (var node in nodes)
        {
            if (members[node.MemberIndex] is not null && node.InputSlots.All(s => s < inputCount) && node.InputSlots.Distinct().Count() == inputCount)
            {
                entry = node;
                break;
            }
        }

        if (entry is null)
        {
            throw NotRecords(graph,
                $"no member with a manifest reads every graph input ({DataText.List(plan.Inputs.Select(i => i.Name))}) straight from the request, so no manifest says how a row's " +
                "fields become the graph's inputs");
        }

        var features = FeaturesBySlot(entry, members[entry.MemberIndex]!.Manifest);
        foreach (var other in nodes.Where(n => n != entry && members[n.MemberIndex] is not null))
        {
            foreach (var (slot, theirs) in FeaturesBySlot(other, members[other.MemberIndex]!.Manifest))
            {
                if (slot < inputCount && !features[slot].SequenceEqual(theirs))
                {
                    throw NotRecords(graph,
                        $"members '{entry.Name}' and '{other.Name}' read graph input '{plan.Inputs[slot].Name}' with different features " +
                        $"({DataText.List(features[slot])} against {DataText.List(theirs)}), so no one manifest decodes a row for both");
                }
            }
        }

        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entry.InputNames.Length; i++)
        {
            indexes[entry.InputNames[i]] = entry.InputSlots[i];
        }

        return (entry, indexes);
    }

    private static (int Member, int Output) FindExit(GraphPlan plan, ModelVersion graph, IReadOnlyList<TabularModel?> members)
    {
        var producers = new Dictionary<int, List<(int Member, string Output)>>();
        Producers(plan.Root, producers);
        for (var o = 0; o < plan.OutputNames.Count; o++)
        {
            var readers = producers.GetValueOrDefault(plan.OutputSlots[o], [])
                .Where(p => members[p.Member] is { } tabular && tabular.OutputNames[0] == p.Output)
                .Select(p => p.Member)
                .Distinct()
                .ToList();
            if (readers.Count == 0)
            {
                continue;
            }

            var first = members[readers[0]]!.Manifest;
            foreach (var other in readers.Skip(1))
            {
                if (!ReadAlike(first, members[other]!.Manifest))
                {
                    throw NotRecords(graph,
                        $"members '{plan.Members[readers[0]].Node}' and '{plan.Members[other].Node}' both produce graph output '{plan.OutputNames[o]}' but their " +
                        "manifests read it differently (task, class labels or threshold), so no one manifest writes the answer");
                }
            }

            return (readers[0], o);
        }

        throw NotRecords(graph,
            $"no member with a manifest produces one of the graph's outputs ({DataText.List(plan.OutputNames)}) under the output its manifest reads, so no manifest says " +
            "how to write a prediction (a concat ensemble's output is never read by a member's manifest)");
    }

    /// <summary>The features a member's manifest puts into each slot the member reads.</summary>
    private static Dictionary<int, string[]> FeaturesBySlot(ModelPlanNode node, ModelManifest manifest)
    {
        var bySlot = new Dictionary<int, string[]>();
        for (var i = 0; i < node.InputNames.Length; i++)
        {
            bySlot[node.InputSlots[i]] = manifest.Inputs.Layout == InputLayout.Tensor
                ? node.InputNames[i] == manifest.Inputs.Name ? manifest.Features.Select(Describe).ToArray() : []
                : manifest.Features.Where(f => f.Name == node.InputNames[i]).Select(Describe).ToArray();
        }

        return bySlot;
    }

    private static string Describe(FeatureSpec feature) => $"{feature.Name} ({feature.Type.ToString().ToLowerInvariant()})";

    private static bool ReadAlike(ModelManifest a, ModelManifest b) =>
        a.Task == b.Task && a.EffectiveThreshold.Equals(b.EffectiveThreshold) && (a.ClassLabels ?? []).SequenceEqual(b.ClassLabels ?? []);

    /// <summary>For each slot a member output can reach, the members (and their output names) whose values can end up in it.</summary>
    private static void Producers(PlanNode node, Dictionary<int, List<(int, string)>> producers)
    {
        switch (node)
        {
            case ModelPlanNode model:
                for (var i = 0; i < model.OutputSlots.Length; i++)
                {
                    producers[model.OutputSlots[i]] = [(model.MemberIndex, model.OutputNames[i])];
                }

                break;
            case SequencePlanNode sequence:
                foreach (var step in sequence.Steps)
                {
                    Producers(step, producers);
                }

                break;
            case EnsemblePlanNode ensemble:
                foreach (var step in ensemble.Steps)
                {
                    Producers(step, producers);
                }

                producers[ensemble.OutputSlot] = ensemble.Combine == GraphCombine.Concat
                    ? []
                    : [.. ensemble.MemberSlots.SelectMany(s => producers.GetValueOrDefault(s, []))];
                break;
            case BranchPlanNode branch:
                var all = branch.Default is null ? branch.Branches : [.. branch.Branches, branch.Default];
                foreach (var b in all)
                {
                    Producers(b.Node, producers);
                }

                for (var i = 0; i < branch.OutputSlots.Length; i++)
                {
                    producers[branch.OutputSlots[i]] = [.. all.SelectMany(b => producers.GetValueOrDefault(b.SourceSlots[i], []))];
                }

                break;
        }
    }

    /// <summary>Every model node, in the order the spec lists them.</summary>
    private static IEnumerable<ModelPlanNode> ModelNodes(PlanNode node) => node switch
    {
        ModelPlanNode model => [model],
        SequencePlanNode sequence => sequence.Steps.SelectMany(ModelNodes),
        EnsemblePlanNode ensemble => ensemble.Steps.SelectMany(ModelNodes),
        BranchPlanNode branch => branch.Branches.Select(b => b.Node).Concat(branch.Default is null ? [] : [branch.Default.Node]).SelectMany(ModelNodes),
        _ => [],
    };

    private static ServingException NotRecords(ModelVersion graph, string why) => GraphRecords.NotRecords(graph, why);
}
