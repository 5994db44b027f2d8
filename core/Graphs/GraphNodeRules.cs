using Serverless.Core.Errors;

namespace Serverless.Core.Graphs;

/// <summary>Which fields each node kind needs and which it may not have, checked before anything is resolved.</summary>
internal static class GraphNodeRules
{
    public static void Check(GraphNode node)
    {
        var kind = node.EffectiveKind;
        var name = node.Name;
        Allow(node.Model is not null, kind == GraphNodeKind.Model, name, "model", "a model node");
        Allow(node.Step is not null, kind == GraphNodeKind.Code, name, "step", "a code node");
        Allow(node.Inputs is not null, kind == GraphNodeKind.Model, name, "inputs", "a model node");
        Allow(node.Steps is not null, kind is GraphNodeKind.Sequence or GraphNodeKind.Ensemble, name, "steps", "a sequence or an ensemble");
        Allow(node.Combine is not null, kind == GraphNodeKind.Ensemble, name, "combine", "an ensemble");
        Allow(node.Weights is not null, node.Combine == GraphCombine.WeightedMean, name, "weights", "an ensemble combined by weighted_mean");
        Allow(node.Branches is not null, kind is GraphNodeKind.Switch or GraphNodeKind.Splitter, name, "branches", "a switch or a splitter");
        Allow(node.Default is not null, kind == GraphNodeKind.Switch, name, "default", "a switch");
        switch (kind)
        {
            case GraphNodeKind.Model when node.Model is null:
                throw ServingException.BadRequest($"Graph node '{name}' is a model node without 'model': name it as name@version, name:alias or name.");
            case GraphNodeKind.Code when node.Step is not { Length: > 0 and <= 64 }:
                throw ServingException.BadRequest($"Graph node '{name}' is a code node without 'step': name a registered code step (1 to 64 characters).");
            case GraphNodeKind.Sequence when node.Steps is not { Count: > 0 }:
                throw ServingException.BadRequest($"Graph node '{name}' is a sequence without 'steps'.");
            case GraphNodeKind.Ensemble when node.Steps is not { Count: >= 2 }:
                throw ServingException.BadRequest($"Graph node '{name}' is an ensemble with fewer than 2 'steps'.");
            case GraphNodeKind.Ensemble when node.Combine is null:
                throw ServingException.BadRequest($"Graph node '{name}' is an ensemble without 'combine': use mean, weighted_mean, vote, max or concat.");
            case GraphNodeKind.Ensemble when node.Combine == GraphCombine.WeightedMean &&
                                             (node.Weights is null || node.Weights.Count != node.Steps!.Count || node.Weights.Any(w => !(w > 0) || double.IsInfinity(w))):
                throw ServingException.BadRequest($"Graph node '{name}' combines by weighted_mean: give 'weights', one positive number per step ({node.Steps!.Count}).");
            case GraphNodeKind.Switch when node.Branches is not { Count: > 0 }:
                throw ServingException.BadRequest($"Graph node '{name}' is a switch without 'branches'.");
            case GraphNodeKind.Splitter when node.Branches is not { Count: >= 2 }:
                throw ServingException.BadRequest($"Graph node '{name}' is a splitter with fewer than 2 'branches'.");
        }

        foreach (var branch in node.Branches ?? [])
        {
            if (branch is null)
            {
                throw ServingException.BadRequest($"Graph node '{name}' has a null branch.");
            }

            if (kind == GraphNodeKind.Switch && (branch.When is null || branch.Weight is not null))
            {
                throw ServingException.BadRequest($"Graph node '{name}' is a switch: each branch needs 'when' (a condition) and no 'weight'.");
            }

            if (kind == GraphNodeKind.Splitter && (branch.Weight is not > 0 || branch.When is not null))
            {
                throw ServingException.BadRequest($"Graph node '{name}' is a splitter: each branch needs a positive whole 'weight' and no 'when'.");
            }
        }
    }

    private static void Allow(bool present, bool allowed, string node, string field, string owner)
    {
        if (present && !allowed)
        {
            throw ServingException.BadRequest($"Graph node '{node}' has '{field}', which only {owner} takes.");
        }
    }
}
