using Serverless.Core.Errors;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Graphs;

/// <summary>
/// A code node of a compiled graph (<see cref="GraphNodeKind.Code"/>): the node's name and the registered code step it names.
/// </summary>
public sealed record GraphCodeStep(string Node, string Step);

/// <summary>
/// Takes a spec's code nodes out of its tree: they are steps of the root sequence before its first other step (pre steps, run on
/// each row before the graph) or after its last (post steps, run on each prediction); anywhere else is a BadRequest naming the
/// node. With a catalog, each must name a registered step of its side (BadRequest naming node and step). Stateless.
/// </summary>
internal static class GraphCodeNodes
{
    public static (GraphNode Root, GraphCodeStep[] Pre, GraphCodeStep[] Post) Split(GraphNode root, TabularStepCatalog? catalog)
    {
        if (root.EffectiveKind != GraphNodeKind.Sequence || root.Steps!.All(s => s.EffectiveKind != GraphNodeKind.Code))
        {
            return (root, [], []);
        }

        var steps = root.Steps!;
        var first = -1;
        var last = -1;
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].EffectiveKind != GraphNodeKind.Code)
            {
                first = first < 0 ? i : first;
                last = i;
            }
        }

        if (first < 0)
        {
            throw ServingException.BadRequest($"Graph node '{root.Name}' holds only code nodes: a graph runs at least one model.");
        }

        var pre = new List<GraphCodeStep>();
        var post = new List<GraphCodeStep>();
        for (var i = 0; i < steps.Count; i++)
        {
            var node = steps[i];
            if (node.EffectiveKind != GraphNodeKind.Code)
            {
                continue;
            }

            if (i > first && i < last)
            {
                throw Misplaced(node);
            }

            var isPre = i < first;
            Check(node, isPre, catalog);
            (isPre ? pre : post).Add(new GraphCodeStep(node.Name, node.Step!));
        }

        return (root with { Steps = steps.Skip(first).Take(last - first + 1).ToArray() }, [.. pre], [.. post]);
    }

    /// <summary>A code node found while compiling the tree: it is not where code steps run.</summary>
    public static ServingException Misplaced(GraphNode node) => ServingException.BadRequest(
        $"Graph node '{node.Name}' (code step {GraphCompiler.Quote(node.Step)}) is not first or last in the root sequence: code steps run on the graph's rows " +
        "before its models (pre steps) or on its predictions after them (post steps), so list it before the root sequence's first step or after its last.");

    private static void Check(GraphNode node, bool isPre, TabularStepCatalog? catalog)
    {
        if (catalog is null)
        {
            return;
        }

        var step = catalog.Get(node.Step!) ?? throw ServingException.BadRequest(
            $"Graph node '{node.Name}' names code step {GraphCompiler.Quote(node.Step)}, which is not registered in this app; {catalog.Describe()}.");
        if (isPre && step is not ITabularPreStep)
        {
            throw ServingException.BadRequest(
                $"Graph node '{node.Name}' runs before the graph's models, so it must name a pre step; code step '{step.Name}' is not one (list it after the last step for a post step).");
        }

        if (!isPre && step is not ITabularPostStep)
        {
            throw ServingException.BadRequest(
                $"Graph node '{node.Name}' runs after the graph's models, so it must name a post step; code step '{step.Name}' is not one (list it before the first step for a pre step).");
        }
    }
}
