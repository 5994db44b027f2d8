using Serverless.Core.Samples;

namespace Serverless.TestModels;

/// <summary>
/// Churn customers for the retraining loop's tests, in two mixes. The original mix draws tenure 0–71 months, charges
/// 20–120 and any contract uniformly, and the outcome from <see cref="ChurnDataset.ChurnProbability"/> (the longer and
/// cheaper, the more loyal). The shifted mix, after a price change: new customers (tenure 0–23), 70 % monthly, and
/// churned ~ Bernoulli(sigmoid(-0.06·(charges - 70))): the cheap ones leave while the expensive ones stay, the opposite of
/// what the original taught. Both add an uninformative noise column in [0, 1). Seeded: the same count and seed give the
/// same customers on every run; thread-safe.
/// </summary>
public static class ChurnCustomers
{
    /// <summary>The header row of <see cref="Csv"/>, newline included.</summary>
    public const string CsvHeader = "tenure,charges,contract,noise,churned\n";

    private static readonly string[] Contracts = ["monthly", "annual", "two-year"];

    public static IReadOnlyList<ChurnCustomer> Original(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var tenure = random.Next(0, 72);
            var charges = Math.Round(20 + (random.NextDouble() * 100), 2);
            var contract = Contracts[random.Next(3)];
            var churned = random.NextDouble() < ChurnDataset.ChurnProbability(tenure, charges, contract) ? 1 : 0;
            return new ChurnCustomer(tenure, charges, contract, Math.Round(random.NextDouble(), 4), churned);
        })];
    }

    public static IReadOnlyList<ChurnCustomer> Shifted(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var tenure = random.Next(0, 24);
            var charges = Math.Round(20 + (random.NextDouble() * 100), 2);
            var contract = random.NextDouble() < 0.7 ? "monthly" : Contracts[1 + random.Next(2)];
            var churned = random.NextDouble() < 1 / (1 + Math.Exp(0.06 * (charges - 70))) ? 1 : 0;
            return new ChurnCustomer(tenure, charges, contract, Math.Round(random.NextDouble(), 4), churned);
        })];
    }

    /// <summary>The customers as CSV text under <see cref="CsvHeader"/>.</summary>
    public static string Csv(IEnumerable<ChurnCustomer> customers) => CsvHeader + string.Concat(customers.Select(c => c.CsvRow));
}
