using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Serving;

namespace Serverless.Core.Graphs;

/// <summary>
/// Runs a <see cref="GraphPlan"/> in process on the members' warm sessions (<see cref="ModelSessionCache"/> leases, each
/// member's dynamic batcher when it has one): tensors pass between steps as ONNX Runtime values, never re-encoded;
/// an ensemble's steps run concurrently. Thread-safe; one instance per process.
/// </summary>
public sealed class GraphExecutor(ModelSessionCache sessions)
{
    /// <summary>
    /// Runs the graph on the request's inputs (<paramref name="inputs"/>[i] for <see cref="GraphPlan.Inputs"/>[i], owned by the
    /// caller). The caller disposes the returned run after reading its outputs.
    /// </summary>
    public async ValueTask<GraphRun> RunAsync(GraphPlan plan, IReadOnlyList<OrtValue> inputs, IGraphStepSink? sink, CancellationToken cancellationToken)
    {
        var run = new GraphRun(plan);
        try
        {
            for (var i = 0; i < plan.Inputs.Count; i++)
            {
                run.Slots[i] = inputs[i];
            }

            await RunNodeAsync(plan, plan.Root, run, sink, cancellationToken).ConfigureAwait(false);
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    private ValueTask RunNodeAsync(GraphPlan plan, PlanNode node, GraphRun run, IGraphStepSink? sink, CancellationToken cancellationToken) => node switch
    {
        ModelPlanNode model => RunModelAsync(plan, model, run, sink, cancellationToken),
        SequencePlanNode sequence => RunSequenceAsync(plan, sequence, run, sink, cancellationToken),
        EnsemblePlanNode ensemble => RunEnsembleAsync(plan, ensemble, run, sink, cancellationToken),
        BranchPlanNode branch => RunBranchAsync(plan, branch, run, sink, cancellationToken),
        _ => throw new UnreachableException(),
    };

    private async ValueTask RunModelAsync(GraphPlan plan, ModelPlanNode node, GraphRun run, IGraphStepSink? sink, CancellationToken cancellationToken)
    {
        var member = plan.Members[node.MemberIndex];
        var started = Stopwatch.GetTimestamp();
        var values = new OrtValue[node.InputSlots.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = run.Slots[node.InputSlots[i]] ?? throw new UnreachableException($"Graph node '{node.Name}' ran before its input '{node.InputNames[i]}'.");
        }

        using var lease = await sessions.AcquireAsync(member.Version, cancellationToken).ConfigureAwait(false);
        var outputs = lease.Model.Batcher is { } batcher
            ? await batcher.RunAsync(node.InputNames, values, node.OutputNames).ConfigureAwait(false)
            : lease.Model.Run(node.InputNames, values, node.OutputNames);
        run.Own(outputs);
        var index = 0;
        foreach (var output in outputs)
        {
            run.Slots[node.OutputSlots[index++]] = output;
        }

        run.Steps[node.MemberIndex] = new GraphStepTiming(node.Name, member.Version.Name, member.Version.Version, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        sink?.OnStep(member, node.InputNames, values, node.OutputNames, outputs);
    }

    private async ValueTask RunSequenceAsync(GraphPlan plan, SequencePlanNode node, GraphRun run, IGraphStepSink? sink, CancellationToken cancellationToken)
    {
        foreach (var step in node.Steps)
        {
            await RunNodeAsync(plan, step, run, sink, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask RunEnsembleAsync(GraphPlan plan, EnsemblePlanNode node, GraphRun run, IGraphStepSink? sink, CancellationToken cancellationToken)
    {
        var others = new Task[node.Steps.Length - 1];
        for (var i = 1; i < node.Steps.Length; i++)
        {
            var step = node.Steps[i];
            others[i - 1] = Task.Run(() => RunNodeAsync(plan, step, run, sink, cancellationToken).AsTask(), cancellationToken);
        }

        try
        {
            await RunNodeAsync(plan, node.Steps[0], run, sink, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(others).ConfigureAwait(false);
        }

        var members = node.MemberSlots.Select(s => run.Slots[s]!).ToArray();
        var combined = GraphCombiner.Combine(node, members);
        run.Own(combined);
        run.Slots[node.OutputSlot] = combined;
    }

    private async ValueTask RunBranchAsync(GraphPlan plan, BranchPlanNode node, GraphRun run, IGraphStepSink? sink, CancellationToken cancellationToken)
    {
        var chosen = node.Weighted ? ChooseByWeight(node.Branches) : node.Branches.FirstOrDefault(b => GraphConditions.Holds(b.Condition!, run.Slots, node.Name)) ?? node.Default
            ?? throw ServingException.BadRequest(
                $"Switch '{node.Name}': no branch's condition holds for this request ({GraphConditions.Describe(node.Branches, run.Slots)}) and it has no default branch.");
        await RunNodeAsync(plan, chosen.Node, run, sink, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < node.OutputSlots.Length; i++)
        {
            run.Slots[node.OutputSlots[i]] = run.Slots[chosen.SourceSlots[i]];
        }
    }

    private static PlanBranch ChooseByWeight(PlanBranch[] branches)
    {
        var pick = Random.Shared.Next(branches.Sum(b => b.Weight));
        foreach (var branch in branches)
        {
            if ((pick -= branch.Weight) < 0)
            {
                return branch;
            }
        }

        return branches[^1];
    }
}
