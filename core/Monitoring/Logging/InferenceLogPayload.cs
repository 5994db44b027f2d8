using Serverless.Core.Tabular;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>What a served request's records are made of, taken on the request path without serialising anything.</summary>
internal abstract class InferenceLogPayload
{
    /// <summary>The records this payload becomes (one per row).</summary>
    public abstract int RowCount { get; }
}

/// <summary>
/// A records request: the <see cref="FeatureBatch"/> the rows were read into and the predictions, held by reference.
/// The batch is created per request and never touched again once the request has been answered, so the writer reads
/// it on its own thread later (the channel orders the hand-over).
/// </summary>
internal sealed class TabularLogPayload : InferenceLogPayload
{
    public TabularLogPayload(FeatureBatch batch, IReadOnlyList<TabularPrediction> predictions)
    {
        Batch = batch;
        Predictions = predictions;
    }

    public FeatureBatch Batch { get; }

    public IReadOnlyList<TabularPrediction> Predictions { get; }

    public override int RowCount => Predictions.Count;
}
