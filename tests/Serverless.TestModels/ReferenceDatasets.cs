using System.Globalization;
using System.Text;

namespace Serverless.TestModels;

/// <summary>
/// Generated tabular datasets with a known signal, for training tests and benchmarks. Pure functions of their seed.
/// Churn: customers with churned ~ Bernoulli(sigmoid(1 - 0.09·tenure + 0.03·(charges - 70) + contract effect)) and an
/// uninformative noise column; about 3% of charges and 2% of contracts are missing (empty cells).
/// </summary>
public static class ReferenceDatasets
{
    public static string ChurnCsv(int rows, int seed)
    {
        var random = new Random(seed);
        string[] contracts = ["monthly", "annual", "two-year"];
        var csv = new StringBuilder("customer_id,tenure,charges,contract,noise,churned\n");
        for (var i = 0; i < rows; i++)
        {
            var tenure = random.Next(0, 72);
            var charges = Math.Round(20 + (random.NextDouble() * 100), 2);
            var contract = random.Next(3);
            var churned = random.NextDouble() < ChurnProbability(tenure, charges, contracts[contract]) ? 1 : 0;
            var noise = Math.Round(random.NextDouble(), 4);
            // A few cells are missing, as exports have them: the trainer imputes them and serving accepts them.
            var chargesText = random.NextDouble() < 0.03 ? "" : charges.ToString(CultureInfo.InvariantCulture);
            var contractText = random.NextDouble() < 0.02 ? "" : contracts[contract];
            csv.Append(CultureInfo.InvariantCulture, $"c{i},{tenure},{chargesText},{contractText},{noise},{churned}\n");
        }

        return csv.ToString();
    }

    /// <summary>The generator's true churn probability for a customer (the best any model can learn).</summary>
    public static double ChurnProbability(int tenure, double charges, string contract)
    {
        var effect = contract switch { "monthly" => 1.2, "annual" => -0.6, _ => -1.8 };
        var logit = 1.0 - (0.09 * tenure) + (0.03 * (charges - 70)) + effect;
        return 1 / (1 + Math.Exp(-logit));
    }
}
