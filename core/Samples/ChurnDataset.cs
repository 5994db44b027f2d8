using System.Globalization;
using System.Text;

namespace Serverless.Core.Samples;

/// <summary>
/// A generated customer-churn dataset with a known signal, for examples (the CLI's <c>samples</c> command), tests and
/// benchmarks: churned ~ Bernoulli(sigmoid(1 - 0.09·tenure + 0.03·(charges - 70) + contract effect)) and an
/// uninformative noise column; about 3% of charges and 2% of contracts are missing (empty cells), as exports have them.
/// Pure functions of their arguments; thread-safe.
/// </summary>
public static class ChurnDataset
{
    /// <summary>The header of <see cref="Csv"/>: an id, four features and the label.</summary>
    public const string Header = "customer_id,tenure,charges,contract,noise,churned";

    private static readonly string[] Contracts = ["monthly", "annual", "two-year"];

    /// <summary>
    /// <paramref name="rows"/> customers as CSV text with a header row; without <paramref name="withLabel"/> the
    /// <c>churned</c> column is left out (rows to score). Ids are <c>{idPrefix}{i}</c>.
    /// </summary>
    public static string Csv(int rows, int seed, bool withLabel = true, string idPrefix = "c")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var random = new Random(seed);
        var csv = new StringBuilder(withLabel ? Header : Header[..Header.LastIndexOf(',')]).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var tenure = random.Next(0, 72);
            var charges = Math.Round(20 + (random.NextDouble() * 100), 2);
            var contract = random.Next(3);
            var churned = random.NextDouble() < ChurnProbability(tenure, charges, Contracts[contract]) ? 1 : 0;
            var noise = Math.Round(random.NextDouble(), 4);
            var chargesText = random.NextDouble() < 0.03 ? "" : charges.ToString(CultureInfo.InvariantCulture);
            var contractText = random.NextDouble() < 0.02 ? "" : Contracts[contract];
            csv.Append(CultureInfo.InvariantCulture, $"{idPrefix}{i},{tenure},{chargesText},{contractText},{noise}");
            if (withLabel)
            {
                csv.Append(CultureInfo.InvariantCulture, $",{churned}");
            }

            csv.Append('\n');
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
