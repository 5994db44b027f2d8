using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>What a served request's records are made of, taken on the request path without serialising anything.</summary>
internal abstract class InferenceLogPayload
{
    /// <summary>The records this payload becomes (one per row).</summary>
    public abstract int RowCount { get; }
}

/// <summary>
/// A records request: the rows' feature values copied out of the request's <see cref="FeatureBatch"/> into one compact
/// row-major array (numbers; categories in a parallel array only when the model has categorical features), with the
/// schema for the names and the predictions by reference (the model's own, before the manifest's post steps: see
/// <see cref="ModelPredictions"/>). Copying a row costs a few nanoseconds per feature and keeps
/// the batch's growable column buffers from outliving the request.
/// </summary>
internal sealed class TabularLogPayload : InferenceLogPayload
{
    public TabularLogPayload(FeatureBatch batch, IReadOnlyList<TabularPrediction> predictions)
    {
        Schema = batch.Schema;
        Predictions = ModelPredictions.Of(predictions);
        Rows = Math.Min(batch.RowCount, predictions.Count);
        var features = Schema.Count;
        Numbers = new double[Rows * features];
        for (var f = 0; f < features; f++)
        {
            if (Schema.Features[f].Type == FeatureType.Numeric)
            {
                var column = batch.GetNumeric(f);
                for (var r = 0; r < Rows; r++)
                {
                    Numbers[(r * features) + f] = column[r];
                }
            }
            else
            {
                Categories ??= new string?[Rows * features];
                var column = batch.GetCategorical(f);
                for (var r = 0; r < Rows; r++)
                {
                    Categories[(r * features) + f] = column[r];
                }
            }
        }
    }

    /// <summary>Rows already copied out (an OIP request's [N, F] input in the manifest's tensor layout), taken as they are.</summary>
    public TabularLogPayload(FeatureSchema schema, int rows, double[] numbers, IReadOnlyList<TabularPrediction> predictions)
    {
        Schema = schema;
        Rows = Math.Min(rows, predictions.Count);
        Numbers = numbers;
        Predictions = predictions;
    }

    public FeatureSchema Schema { get; }

    public int Rows { get; }

    /// <summary>Row r's numeric features at [r * features + f] (NaN: missing; unused for categorical features).</summary>
    public double[] Numbers { get; }

    /// <summary>Row r's categorical features at [r * features + f]; null when the model has none.</summary>
    public string?[]? Categories { get; }

    public IReadOnlyList<TabularPrediction> Predictions { get; }

    public override int RowCount => Rows;
}
