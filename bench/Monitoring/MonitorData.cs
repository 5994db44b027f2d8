using System.Globalization;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Tabular;

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

    /// <summary>Rows per logged request in the through-storage run.</summary>
    public const int RowsPerRequest = 10;

    public static ModelVersion ModelVersion { get; } = new(Model, Version, "bench", 1, DateTimeOffset.UtcNow, null, [], [], $"{Model}/{Version}/model.onnx");

    public static FeatureSchema Schema { get; } = new(FeatureNames
        .Select(n => new FeatureSpec(n, n.StartsWith('n') ? FeatureType.Numeric : FeatureType.Categorical))
        .ToList());

    /// <summary>The next request: <see cref="RowsPerRequest"/> rows of standard normal numbers (the last five shifted by 0.5) and uniform categories, and its predictions.</summary>
    public static (FeatureBatch Batch, TabularPrediction[] Predictions) Request(Random random)
    {
        var batch = new FeatureBatch(Schema, RowsPerRequest);
        var cells = new Dictionary<string, string?>(NumericFeatures + CategoricalFeatures);
        var predictions = new TabularPrediction[RowsPerRequest];
        for (var r = 0; r < RowsPerRequest; r++)
        {
            for (var i = 0; i < NumericFeatures; i++)
            {
                var value = Normal(random) + (i >= NumericFeatures - 5 ? 0.5 : 0);
                cells[$"n{i}"] = Math.Round(value, 5).ToString("R", CultureInfo.InvariantCulture);
            }

            for (var i = 0; i < CategoricalFeatures; i++)
            {
                cells[$"c{i}"] = Categories[random.Next(Categories.Length)];
            }

            if (!batch.AddRow(cells))
            {
                throw new InvalidOperationException(string.Join("; ", batch.Errors.Select(e => e.ToString())));
            }

            var probability = Math.Round(random.NextDouble(), 4);
            predictions[r] = new TabularPrediction { Label = probability >= 0.5 ? "1" : "0", Probability = probability, Scores = [1 - probability, probability] };
        }

        return (batch, predictions);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
