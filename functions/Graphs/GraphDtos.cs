using System.Text.Json;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Functions.Http;

namespace Serverless.Functions.Graphs;

/// <summary>An inference graph's spec as sent and stored (see <see cref="GraphSpec"/>): inputs, a tree of nodes, outputs mapped from node outputs.</summary>
public sealed record GraphSpecBody(string? Description, IReadOnlyList<TensorSpec> Inputs, GraphNodeBody Root, IReadOnlyDictionary<string, string>? Outputs);

/// <summary>
/// A node: kind model (the default when model is set), sequence, ensemble, switch, splitter or code. A model node names its member (name@version,
/// name:alias or name) and maps its inputs from $request.{input} or {node}.{output}. A code node names a registered code step (step), first
/// (a pre step on each row) or last (a post step on each prediction) in the root sequence; the records API and batch scoring run it.
/// </summary>
public sealed record GraphNodeBody(
    string Name,
    string? Kind,
    string? Model,
    string? Step,
    IReadOnlyDictionary<string, string>? Inputs,
    string? Output,
    IReadOnlyList<GraphNodeBody>? Steps,
    string? Combine,
    IReadOnlyList<double>? Weights,
    IReadOnlyList<GraphBranchBody>? Branches,
    GraphNodeBody? Default);

/// <summary>A switch branch (when) or a splitter branch (weight) and the node it runs.</summary>
public sealed record GraphBranchBody(GraphConditionBody? When, int? Weight, GraphNodeBody Node);

/// <summary>A switch condition on a one-element tensor: ref op value (eq, ne, lt, le, gt, ge; in with a list).</summary>
public sealed record GraphConditionBody(string Ref, string Op, JsonElement Value);

/// <summary>A graph version: its signature, its members (pinned, aliased or default, and the version each resolves to now) and its spec.</summary>
public sealed record GraphVersionResponse(
    string Name,
    string Version,
    string Sha256,
    DateTimeOffset CreatedUtc,
    string? Description,
    string Platform,
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    IReadOnlyList<GraphMemberResponse> Members,
    GraphSpecBody Spec)
{
    public static GraphVersionResponse From(ModelVersion graph, GraphPlan plan, GraphSpec spec) => new(
        graph.Name, graph.Version, graph.Sha256, graph.CreatedUtc, graph.Description, Core.Serving.ModelMetadata.GraphPlatform, graph.Inputs, graph.Outputs,
        [.. plan.Members.Select(m => new GraphMemberResponse(m.Node, m.Reference.Model, m.Reference.Version, m.Reference.Alias, m.Version.Version))],
        JsonSerializer.Deserialize<GraphSpecBody>(spec.ToCanonicalJson(), ApiJson.ReadOptions)!);
}

/// <summary>A model node's member: what the spec names (a pinned version, an alias, or neither: the default) and the version serving it now.</summary>
public sealed record GraphMemberResponse(string Node, string Model, string? PinnedVersion, string? Alias, string ResolvedVersion);

/// <summary>An inference graph's share of an answer: each member that served, in spec order.</summary>
public sealed record GraphAnswerBody(IReadOnlyList<GraphStepBody> Steps);

/// <summary>A member that served: its node, model and version; <c>ms</c> (lease, run, any batching wait) when x-graph-timings asked for it.</summary>
public sealed record GraphStepBody(string Node, string Model, string Version,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] double? Ms = null);
