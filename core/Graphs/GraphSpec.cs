using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Graphs;

/// <summary>
/// An inference graph as registered (<c>PUT api/graphs/{name}/versions/{version}</c>): its inputs, a tree of nodes
/// (<see cref="GraphNode"/>) whose leaves run registered models, and its outputs mapped from the nodes' outputs. Immutable
/// once registered, like a model version. Tensors are referenced as <c>$request.{input}</c> or <c>{node}.{output}</c>.
/// </summary>
public sealed record GraphSpec
{
    /// <summary>The largest spec accepted, in bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The most nodes a graph may hold, all kinds counted.</summary>
    public const int MaxNodes = 64;

    /// <summary>The deepest nesting of nodes.</summary>
    public const int MaxDepth = 8;

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter<GraphNodeKind>(JsonNamingPolicy.SnakeCaseLower), new JsonStringEnumConverter<GraphCombine>(JsonNamingPolicy.SnakeCaseLower) },
        MaxDepth = 2 * MaxDepth + 8,
    };

    public string? Description { get; init; }

    /// <summary>The graph's input tensors, as a model's signature states them.</summary>
    public required IReadOnlyList<TensorSpec> Inputs { get; init; }

    public required GraphNode Root { get; init; }

    /// <summary>Graph output name → tensor reference; null: the root node's outputs under their own names.</summary>
    public IReadOnlyDictionary<string, string>? Outputs { get; init; }

    /// <summary>Reads a spec, or throws BadRequest naming what is malformed (the structure only; <see cref="GraphCompiler"/> checks the rest).</summary>
    public static GraphSpec Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw ServingException.PayloadTooLarge($"A graph spec may be at most {MaxBytes} bytes (was {json.Length}).");
        }

        try
        {
            return JsonSerializer.Deserialize<GraphSpec>(json, JsonOptions) ?? throw ServingException.BadRequest("The graph spec is null: send a JSON object.");
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            throw ServingException.BadRequest($"The graph spec is not valid{where}: {FirstSentence(e.Message)}");
        }
    }

    /// <summary>The spec as stored: canonical JSON, so the same spec always hashes the same.</summary>
    public byte[] ToCanonicalJson() => JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        var text = cut > 0 ? message[..(cut + 1)] : message;
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}

/// <summary>What a node does (KServe InferenceGraph's router types, plus the model leaf).</summary>
public enum GraphNodeKind
{
    /// <summary>Runs one registered model (<see cref="GraphNode.Model"/>).</summary>
    Model,

    /// <summary>Steps in order; each may read the request and earlier steps' outputs; its outputs are its last step's.</summary>
    Sequence,

    /// <summary>Steps in parallel on the same inputs, one output of each combined (<see cref="GraphNode.Combine"/>).</summary>
    Ensemble,

    /// <summary>The first branch whose condition holds runs, else the default branch, else the request is refused.</summary>
    Switch,

    /// <summary>One branch chosen at random by weight.</summary>
    Splitter,

    /// <summary>
    /// A registered C# code step (<see cref="GraphNode.Step"/>, an <c>ITabularPreStep</c> or <c>ITabularPostStep</c>) on the records path:
    /// only a step of the root sequence, before its first other step (a pre step, on each row before the graph runs) or after its
    /// last (a post step, on each prediction). Tensor requests (OIP infer) skip it, as they skip a model manifest's steps.
    /// </summary>
    Code,
}

/// <summary>How an ensemble combines its members' outputs, element by element.</summary>
public enum GraphCombine
{
    Mean,
    WeightedMean,
    Vote,
    Max,
    Concat,
}

/// <summary>
/// One node. A model node names its member (<c>name@version</c> or <c>name:alias</c>) and maps the member's inputs
/// (<see cref="Inputs"/>: member input → tensor reference; an input left out is read by name from the latest earlier
/// step that outputs it, else from the request). A code node names a registered code step (<see cref="Step"/>). Other kinds hold
/// <see cref="Steps"/> or <see cref="Branches"/>.
/// </summary>
public sealed record GraphNode
{
    /// <summary>Unique within the graph: a letter, then letters, digits, '-' or '_' (no '.': references split on it).</summary>
    public required string Name { get; init; }

    /// <summary>Model when <see cref="Model"/> is set and no kind is given.</summary>
    public GraphNodeKind? Kind { get; init; }

    public string? Model { get; init; }

    /// <summary>A code node: the registered code step's name.</summary>
    public string? Step { get; init; }

    public IReadOnlyDictionary<string, string>? Inputs { get; init; }

    /// <summary>A model node in an ensemble: which of its outputs is combined (default its first).</summary>
    public string? Output { get; init; }

    public IReadOnlyList<GraphNode>? Steps { get; init; }

    public GraphCombine? Combine { get; init; }

    /// <summary>Weighted mean: one weight per step, positive.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>An ensemble's combined output name (default <c>output</c>).</summary>
    public string? As { get; init; }

    public IReadOnlyList<GraphBranch>? Branches { get; init; }

    /// <summary>A switch's branch when no condition holds.</summary>
    public GraphNode? Default { get; init; }

    [JsonIgnore]
    public GraphNodeKind EffectiveKind => Kind ?? GraphNodeKind.Model;
}

/// <summary>A switch's (condition and node) or a splitter's (weight and node) branch.</summary>
public sealed record GraphBranch
{
    public GraphCondition? When { get; init; }

    public int? Weight { get; init; }

    public required GraphNode Node { get; init; }
}

/// <summary>
/// A switch condition on a one-element tensor (a request input or an earlier step's output): <c>ref</c> <c>op</c> <c>value</c>,
/// op one of eq, ne, lt, le, gt, ge (numbers, or eq/ne on strings) or in (value a list).
/// </summary>
public sealed record GraphCondition
{
    public required string Ref { get; init; }

    public required string Op { get; init; }

    public required JsonElement Value { get; init; }
}
