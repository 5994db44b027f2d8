using Microsoft.ML.OnnxRuntime;

namespace Serverless.Core.Graphs;

/// <summary>
/// One request's pass through a <see cref="GraphPlan"/>: every tensor it produced (owned here, freed on dispose) and which
/// members ran, with their time. Not thread-safe for callers; the executor's parallel steps write disjoint slots.
/// </summary>
public sealed class GraphRun : IDisposable
{
    private readonly GraphPlan _plan;
    private readonly List<IDisposable> _owned = [];

    internal GraphRun(GraphPlan plan)
    {
        _plan = plan;
        Slots = new OrtValue?[plan.SlotCount];
        Steps = new GraphStepTiming?[plan.Members.Count];
    }

    internal OrtValue?[] Slots { get; }

    /// <summary>Per member of <see cref="GraphPlan.Members"/>: its timing when it ran, null when its branch did not.</summary>
    public GraphStepTiming?[] Steps { get; }

    /// <summary>The graph's outputs, in <see cref="GraphPlan.OutputNames"/> order (owned by this run).</summary>
    public IReadOnlyList<OrtValue> Outputs => _plan.OutputSlots.Select(s => Slots[s]!).ToArray();

    internal void Own(IDisposable value)
    {
        lock (_owned)
        {
            _owned.Add(value);
        }
    }

    public void Dispose()
    {
        lock (_owned)
        {
            foreach (var value in _owned)
            {
                value.Dispose();
            }

            _owned.Clear();
        }
    }
}

/// <summary>A member's share of a graph request: the node, the version that served, and its run time in milliseconds (lease, run and any batching wait).</summary>
public sealed record GraphStepTiming(string Node, string Model, string Version, double Milliseconds);

/// <summary>
/// Sees each member's run while its tensors are alive (to log the member's rows under its own name). Called from the
/// executor's threads, possibly concurrently for an ensemble's steps; must not keep the values.
/// </summary>
public interface IGraphStepSink
{
    void OnStep(GraphMember member, IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames,
        IReadOnlyCollection<OrtValue> outputs);
}
