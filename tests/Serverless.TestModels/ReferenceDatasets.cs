using Serverless.Core.Samples;

namespace Serverless.TestModels;

/// <summary>Generated tabular datasets with a known signal, for training tests and benchmarks (see <see cref="ChurnDataset"/>).</summary>
public static class ReferenceDatasets
{
    public static string ChurnCsv(int rows, int seed) => ChurnDataset.Csv(rows, seed);

    /// <summary>The generator's true churn probability for a customer (the best any model can learn).</summary>
    public static double ChurnProbability(int tenure, double charges, string contract) => ChurnDataset.ChurnProbability(tenure, charges, contract);
}
