using Microsoft.DurableTask;
using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Reads a finished trial's <c>metrics.json</c> after checking the contract's other outputs exist; a missing
/// output or a metrics file without the sweep's metric fails the trial with a message saying which.
/// </summary>
[DurableTask(Name)]
public sealed class CollectTrialActivity : TaskActivity<TrialWork, TrialMetrics>
{
    public const string Name = "TrainingCollectTrial";

    private readonly TrialStorage _storage;

    public CollectTrialActivity(TrialStorage storage)
    {
        _storage = storage;
    }

    public override async Task<TrialMetrics> RunAsync(TaskActivityContext context, TrialWork work)
    {
        foreach (var output in new[] { TrialOutputs.Model, TrialOutputs.Manifest, TrialOutputs.Metrics })
        {
            if (!await _storage.ExistsAsync(TrialOutputs.Combine(work.OutputUri, output), CancellationToken.None).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"The trainer ended without writing {output} under {work.OutputUri}.");
            }
        }

        var metrics = TrialMetrics.FromJson(await _storage.ReadTextAsync(TrialOutputs.Combine(work.OutputUri, TrialOutputs.Metrics), CancellationToken.None)
            .ConfigureAwait(false));
        return metrics.Metrics.ContainsKey(work.Request.Metric)
            ? metrics
            : throw new InvalidOperationException(
                $"metrics.json has no '{work.Request.Metric}' (it has {string.Join(", ", metrics.Metrics.Keys)}).");
    }
}
