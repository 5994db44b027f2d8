using Serverless.Core.Tabular;

namespace Serverless.Core.Serving;

/// <summary>Running a bound tabular model on a leased session. Thread-safe as the session's Run is.</summary>
public static class TabularModelExtensions
{
    /// <summary>Runs <paramref name="model"/> on the batch's accepted rows and reads one prediction per row.</summary>
    public static TabularPrediction[] Predict(this TabularModel tabular, LoadedModel model, FeatureBatch batch)
    {
        using var inputs = tabular.ToInputs(batch);
        using var outputs = model.Run(inputs.Names, inputs.Values, tabular.OutputNames);
        return tabular.ReadPredictions(tabular.OutputNames, outputs, batch.RowCount);
    }
}
