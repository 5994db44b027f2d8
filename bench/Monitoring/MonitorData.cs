using System.Globalization;
using System.Text;
using System.Text.Json;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Bench.Monitoring;

/// <summary>
/// The monitoring workload: 20 features (15 numeric, 5 categorical), a baseline of 100k reference rows, and
/// logged rows of the same shape whose last five numeric features are shifted (so drift is found). Deterministic.
/// </summary>
public static class MonitorData
{
    public const int NumericFeatures = 15;
    public const int CategoricalFeatures = 5;
    public const string Model = "monitored";
    public const string Version = "1";

    private static readonly string[] Categories = ["a", "b", "c", "d", "e", "f"];

    public static IEnumerable<string> FeatureNames =>
        Enumerable.Range(0, NumericFeatures).Select(i => $"n{i}").Concat(Enumerable.Range(0, CategoricalFeatures).Select(i => $"c{i}"));

    public static DatasetBaseline Baseline(int rows)
    {
        var random = new Random(1);
        var numeric = Enumerable.Range(0, NumericFeatures).Select(i => new BaselineBuilder($"n{i}", numeric: true)).ToArray();
        var categorical = Enumerable.Range(0, CategoricalFeatures).Select(i => new BaselineBuilder($"c{i}", numeric: false)).ToArray();
        for (var r = 0; r < rows; r++)
        {
            foreach (var builder in numeric)
            {
                builder.AddNumber(Normal(random));
            }

            foreach (var builder in categorical)
            {
                builder.AddText(Categories[random.Next(Categories.Length)]);
            }
        }

        return new DatasetBaseline { Rows = rows, Features = [.. numeric.Select(b => b.Build()), .. categorical.Select(b => b.Build())] };
    }

    /// <summary>The next logged row's features as the inference log stores them (a JSON object).</summary>
    public static string FeaturesJson(Random random)
    {
        var json = new StringBuilder(400).Append('{');
        for (var i = 0; i < NumericFeatures; i++)
        {
            var value = Normal(random) + (i >= NumericFeatures - 5 ? 0.5 : 0);
            json.Append(CultureInfo.InvariantCulture, $"\"n{i}\":{Math.Round(value, 5).ToString("R", CultureInfo.InvariantCulture)},");
        }

        for (var i = 0; i < CategoricalFeatures; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $"\"c{i}\":\"{Categories[random.Next(Categories.Length)]}\"");
            json.Append(i < CategoricalFeatures - 1 ? "," : "}");
        }

        return json.ToString();
    }

    public static InferenceLogRecord Record(int index, DateTimeOffset at, string featuresJson)
    {
        using var document = JsonDocument.Parse(featuresJson);
        return new InferenceLogRecord
        {
            RequestId = $"req-{index / 10}",
            Row = index % 10,
            Model = Model,
            Version = Version,
            TimestampUtc = at,
            LatencyMs = 0.5 + (index % 7 * 0.1),
            Status = InferenceLogStatus.Ok,
            Source = InferenceLogSource.Predict,
            Probability = 0.7,
            Label = "1",
            Features = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
        };
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
