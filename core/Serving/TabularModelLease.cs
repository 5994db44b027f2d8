using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Core.Serving;

/// <summary>
/// A leased tabular model from <see cref="TabularModelLeaser"/>: the resolved version, its warm session (kept alive
/// until the lease is disposed) and its manifest bound to the session's signature. <see cref="Predict"/> may be called
/// from several threads at once (a session's Run is thread-safe); dispose exactly once, after the last prediction.
/// </summary>
public sealed class TabularModelLease : IRecordScorer
{
    private readonly ModelLease _lease;
    private int _disposed;

    internal TabularModelLease(ModelVersion version, ModelLease lease, TabularModel tabular)
    {
        Version = version;
        _lease = lease;
        Tabular = tabular;
    }

    /// <summary>The version as resolved (its manifest hash says which manifest is bound).</summary>
    public ModelVersion Version { get; }

    /// <summary>The warm session.</summary>
    public LoadedModel Model => _lease.Model;

    /// <summary>The manifest bound to the model's signature: batches, inputs, predictions.</summary>
    public TabularModel Tabular { get; }

    public ModelManifest Manifest => Tabular.Manifest;

    /// <summary>Runs the model on the batch's accepted rows and reads one prediction per row.</summary>
    public TabularPrediction[] Predict(FeatureBatch batch) => Tabular.Predict(Model, batch);

    /// <summary><see cref="Predict"/>, completed synchronously (a session's Run is synchronous).</summary>
    public ValueTask<TabularPrediction[]> PredictAsync(FeatureBatch batch, CancellationToken cancellationToken) => ValueTask.FromResult(Predict(batch));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _lease.Dispose();
        }
    }
}
