using Serverless.Core.Models;

namespace Serverless.Core.Graphs;

/// <summary>A tensor of a compiled graph: its slot and what is known of it.</summary>
internal readonly record struct GraphTensor(int Slot, TensorSpec Spec);

/// <summary>
/// The tensors visible at one point of compilation: by reference (<c>$request.x</c>, <c>node.output</c>) and, for inputs a
/// node does not map, by plain name (the latest node that output it, else the request).
/// </summary>
internal sealed class GraphScope
{
    private readonly Dictionary<string, GraphTensor> _references;
    private readonly List<(string Name, GraphTensor Tensor)> _produced;

    public GraphScope()
        : this(new Dictionary<string, GraphTensor>(StringComparer.Ordinal), [])
    {
    }

    private GraphScope(Dictionary<string, GraphTensor> references, List<(string, GraphTensor)> produced)
    {
        _references = references;
        _produced = produced;
    }

    public GraphScope Clone() => new(new Dictionary<string, GraphTensor>(_references, StringComparer.Ordinal), [.. _produced]);

    public void Add(string reference, GraphTensor tensor) => _references[reference] = tensor;

    public void AddOutputs(string node, IEnumerable<(string Name, GraphTensor Tensor)> outputs)
    {
        foreach (var (name, tensor) in outputs)
        {
            _references[node + "." + name] = tensor;
            _produced.Add((name, tensor));
        }
    }

    public GraphTensor? Find(string? reference) =>
        reference is not null && _references.TryGetValue(reference, out var tensor) ? tensor : null;

    public GraphTensor? FindByName(string name)
    {
        for (var i = _produced.Count - 1; i >= 0; i--)
        {
            if (_produced[i].Name == name)
            {
                return _produced[i].Tensor;
            }
        }

        return Find(GraphCompiler.RequestPrefix + name);
    }

    public string Describe()
    {
        var names = _references.Keys.Order(StringComparer.Ordinal).Take(12).Select(k => $"'{k}'").ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names) + (_references.Count > 12 ? ", …" : "");
    }
}

/// <summary>What compiling a graph accumulates: slots handed out and the members met.</summary>
internal sealed class CompileContext(IReadOnlyDictionary<GraphMemberRef, ModelVersion> versions)
{
    private readonly List<GraphMember> _members = [];

    public IReadOnlyDictionary<GraphMemberRef, ModelVersion> Versions { get; } = versions;

    public int SlotCount { get; private set; }

    public IReadOnlyList<GraphMember> Members => _members;

    public GraphTensor NewSlot(TensorSpec spec) => new(SlotCount++, spec);

    public int AddMember(GraphMember member)
    {
        _members.Add(member);
        return _members.Count - 1;
    }
}
