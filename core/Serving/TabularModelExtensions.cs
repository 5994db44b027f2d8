using Serverless.Core.Tabular;

namespace Serverless.Core.Serving;

/// <summary>Running a bound tabular model on a leased session. Thread-safe as the session's Run is.</summary>
public static class TabularModelExtensions
{
    /// <summary>
    /// Runs <paramref name="model"/> on the batch's accepted rows (already through the manifest's pre steps) and reads one
    /// prediction per row, through the manifest's post steps: the one scoring path of the records API, batch scoring and
    /// evaluation, so a row scores the same everywhere.
    /// </summary>
    public static TabularPrediction[] Predict(this TabularModel tabular, LoadedModel model, FeatureBatch batch)
    {
        using var inputs = tabular.ToInputs(batch);
        using var outputs = model.Run(inputs.Names, inputs.Values, tabular.OutputNames);
        return tabular.Decide(batch, tabular.ReadPredictions(tabular.OutputNames, outputs, batch.RowCount));
    }
}
