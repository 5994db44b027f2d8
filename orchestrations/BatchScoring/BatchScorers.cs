using Serverless.Core.Graphs;
using Serverless.Core.Serving;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Leases what a chunk scores with: a model version's tabular lease (<see cref="TabularModelLeaser"/>), or an inference graph's
/// scorer with its members at the versions the job pinned when it started (<see cref="GraphRecordService"/>). Thread-safe.
/// </summary>
public sealed class BatchScorers(TabularModelLeaser models, GraphRecordService graphs)
{
    /// <summary>The scorer for <paramref name="model"/> version <paramref name="version"/>; dispose it once.</summary>
    public async Task<IRecordScorer> LeaseAsync(string model, string version, IReadOnlyDictionary<string, string>? members, CancellationToken cancellationToken)
    {
        var resolved = await models.ResolveAsync(model, version, cancellationToken).ConfigureAwait(false);
        return resolved.IsGraph
            ? await graphs.LeaseAsync(resolved, members, cancellationToken).ConfigureAwait(false)
            : await models.LeaseAsync(resolved, cancellationToken).ConfigureAwait(false);
    }
}
