namespace Serverless.Core.Tabular.Steps.Expressions;

/// <summary>What an expression reads: a row of a batch and, in post steps, the row's prediction as decided so far.</summary>
internal readonly struct RowScope(FeatureBatch batch, int row, PredictionDecision? decision)
{
    public FeatureBatch Batch { get; } = batch;

    /// <summary>The row's position in the batch (the row being added, during pre steps).</summary>
    public int Row { get; } = row;

    public PredictionDecision? Decision { get; } = decision;
}
