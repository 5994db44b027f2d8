using Serverless.Core.Models;
using Serverless.Core.Training;
using Serverless.Trainer;

namespace Serverless.Tests.Training;

/// <summary>
/// Every supported algorithm × task on the synthetic dataset: the metric clears a bar the designed signal allows,
/// the metrics are core's ModelMetrics on ML.NET's own validation predictions, and the exported ONNX model
/// served through the platform's tabular path predicts what ML.NET predicted, row for row.
/// </summary>
public sealed class TrainerParityTests : IClassFixture<TrainerDataset>
{
    /// <summary>Float32 through two runtimes: 1e-5 relative to the value, or absolute for values under 1 (probabilities).</summary>
    private const double Tolerance = 1e-5;

    private readonly TrainerDataset _data;

    public TrainerParityTests(TrainerDataset data)
    {
        _data = data;
    }

    /// <summary>Every algorithm and task the catalog says the trainer trains, so a pair the catalog claims is trained here.</summary>
    public static TheoryData<string, string> Supported
    {
        get
        {
            var pairs = new TheoryData<string, string>();
            foreach (var algorithm in HyperparameterCatalog.BuiltInAlgorithms)
            {
                foreach (var task in HyperparameterCatalog.TasksOf(algorithm))
                {
                    pairs.Add(algorithm, task);
                }
            }

            return pairs;
        }
    }

    [Theory]
    [MemberData(nameof(Supported))]
    public async Task Train_SupportedAlgorithmAndTask_ClearsMetricBarAndOnnxMatchesMlNetOnEveryValidationRow(string algorithm, string task)
    {
        var spec = _data.Spec(algorithm, task);
        var trial = await TrialTrainer.TrainAsync(spec, null, CancellationToken.None);

        var (header, rows) = _data.ReadValidation();
        AssertMetricsClearBar(task, trial.Metrics);
        AssertMetricsAreCoreMetricsOfPredictions(task, rows.Select(r => r[Array.IndexOf(header, spec.Target)]).ToArray(), trial);
        Assert.Equal(TrainerDataset.TrainRows, trial.Metrics.TrainRows);
        Assert.Equal(TrainerDataset.ValidationRows, trial.Metrics.ValidationRows);
        Assert.True(trial.Metrics.TrainSeconds > 0);

        using var served = new TrainerServing(trial);
        var (batch, predictions) = served.Predict(header, rows);

        // Every feature allows missing values (the graph imputes them), so every row is scored: empty cells and
        // unseen categories included.
        Assert.Equal(Enumerable.Range(0, rows.Length), batch.RowIndexes.ToArray().Select(i => (int)i));
        Assert.Contains(rows, r => r.Take(4).Any(c => c.Length == 0));
        Assert.Contains(rows, r => r[3] == TrainerDataset.UnseenColor);

        // The graph itself replaces missing values as ML.NET did: NaN numbers by the training mean, "" (like an unseen category) by zeros.
        var raw = served.RunRaw(header, rows);
        for (var row = 0; row < rows.Length; row++)
        {
            var expected = task == Algorithms.Multiclass ? trial.ValidationPredictions.ClassProbabilities![row] : [trial.ValidationPredictions.Values![row]];
            Assert.Equal(expected.Count, raw[row].Length);
            for (var c = 0; c < expected.Count; c++)
            {
                AssertClose(expected[c], raw[row][c], algorithm, row);
            }
        }

        for (var i = 0; i < predictions.Length; i++)
        {
            var row = (int)batch.RowIndexes[i];
            var expected = trial.ValidationPredictions;
            switch (task)
            {
                case Algorithms.Binary:
                    AssertClose(expected.Values![row], predictions[i].Scores![1], algorithm, row);
                    break;
                case Algorithms.Multiclass:
                    Assert.Equal(expected.ClassLabels!.Count, predictions[i].Scores!.Count);
                    for (var c = 0; c < predictions[i].Scores!.Count; c++)
                    {
                        AssertClose(expected.ClassProbabilities![row][c], predictions[i].Scores![c], algorithm, row);
                    }

                    break;
                default:
                    AssertClose(expected.Values![row], predictions[i].Value!.Value, algorithm, row);
                    break;
            }
        }
    }

    [Fact]
    public async Task Train_MulticlassTask_ClassLabelsAreSortedTargetValuesInManifest()
    {
        var trial = await TrialTrainer.TrainAsync(_data.Spec(Algorithms.LightGbm, Algorithms.Multiclass), null, CancellationToken.None);

        Assert.Equal(["alpha", "beta", "gamma"], trial.Manifest.ClassLabels);
        Assert.Equal(TabularTask.Multiclass, trial.Manifest.Task);
        Assert.Equal("Score.output", trial.Manifest.Outputs.Probability);
        Assert.Equal(InputLayout.PerFeature, trial.Manifest.Inputs.Layout);
        Assert.All(trial.Manifest.Features, f => Assert.True(f.Min is null && f.Max is null && f.Values is null));
    }

    [Fact]
    public async Task Train_BinaryTextTargetWithPositiveClass_ClassLabelsAreNegativeThenPositive()
    {
        var spec = _data.Spec(Algorithms.Lbfgs, Algorithms.Binary, target: "outcome") with { PositiveClass = "yes" };

        var trial = await TrialTrainer.TrainAsync(spec, null, CancellationToken.None);

        Assert.Equal(["no", "yes"], trial.Manifest.ClassLabels);
        Assert.Equal("Probability.output", trial.Manifest.Outputs.Probability);
        Assert.True(trial.Metrics.Metrics[MetricNames.Auc] > 0.9);
    }

    [Fact]
    public async Task Train_SameSpecTwice_SamePredictions()
    {
        var spec = _data.Spec(Algorithms.LightGbm, Algorithms.Binary);

        var first = await TrialTrainer.TrainAsync(spec, null, CancellationToken.None);
        var second = await TrialTrainer.TrainAsync(spec, null, CancellationToken.None);

        Assert.Equal(first.ValidationPredictions.Values, second.ValidationPredictions.Values);
        Assert.Equal(first.Metrics.Metrics, second.Metrics.Metrics);
    }

    [Fact]
    public async Task Train_Hyperparameters_ChangeTheModel()
    {
        var defaults = await TrialTrainer.TrainAsync(_data.Spec(Algorithms.FastTree, Algorithms.Regression), null, CancellationToken.None);
        var spec = _data.Spec(Algorithms.FastTree, Algorithms.Regression) with
        {
            Hyperparameters = Hyperparameters("""{"num_trees": 5, "num_leaves": 4, "learning_rate": 0.05, "min_data_in_leaf": 20}"""),
        };

        var tuned = await TrialTrainer.TrainAsync(spec, null, CancellationToken.None);

        Assert.True(tuned.Metrics.Metrics[MetricNames.Rmse] > defaults.Metrics.Metrics[MetricNames.Rmse]);
        Assert.True(tuned.OnnxModel.Length < defaults.OnnxModel.Length / 5);
    }

    internal static Dictionary<string, System.Text.Json.JsonElement> Hyperparameters(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(json)!;

    private static void AssertMetricsClearBar(string task, TrialMetrics metrics)
    {
        switch (task)
        {
            case Algorithms.Binary:
                Assert.Equal([MetricNames.Accuracy, MetricNames.Auc, MetricNames.F1, MetricNames.LogLoss], metrics.Metrics.Keys.Order());
                Assert.True(metrics.Metrics[MetricNames.Auc] > 0.9, $"auc {metrics.Metrics[MetricNames.Auc]}");
                break;
            case Algorithms.Multiclass:
                Assert.Equal([MetricNames.Accuracy, MetricNames.F1, MetricNames.LogLoss], metrics.Metrics.Keys.Order());
                Assert.True(metrics.Metrics[MetricNames.Accuracy] > 0.85, $"accuracy {metrics.Metrics[MetricNames.Accuracy]}");
                break;
            default:
                Assert.Equal([MetricNames.Mae, MetricNames.R2, MetricNames.Rmse], metrics.Metrics.Keys.Order());
                Assert.True(metrics.Metrics[MetricNames.R2] > 0.85, $"r2 {metrics.Metrics[MetricNames.R2]}");
                break;
        }
    }

    /// <summary>metrics.json holds core's ModelMetrics of ML.NET's own validation predictions, and only metrics of the task.</summary>
    private static void AssertMetricsAreCoreMetricsOfPredictions(string task, string[] target, TrainedTrial trial)
    {
        var predictions = trial.ValidationPredictions;
        var expected = task switch
        {
            Algorithms.Binary => ModelMetrics.Binary(target.Select(t => t == "1" ? 1 : 0).ToArray(), predictions.Values!),
            Algorithms.Multiclass => ModelMetrics.Multiclass(
                target.Select(t => predictions.ClassLabels!.ToList().IndexOf(t)).ToArray(), predictions.ClassProbabilities!, predictions.ClassLabels!.Count),
            _ => ModelMetrics.Regression(target.Select(t => (double)float.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), predictions.Values!),
        };

        Assert.Equal(expected.OrderBy(m => m.Key), trial.Metrics.Metrics.OrderBy(m => m.Key));
        Assert.All(trial.Metrics.Metrics.Keys, name => Assert.True(MetricNames.AppliesTo(name, task), $"{name} is not a {task} metric"));
    }

    private static void AssertClose(double mlnet, double served, string algorithm, int row) =>
        Assert.True(Math.Abs(mlnet - served) <= Tolerance * Math.Max(1, Math.Abs(mlnet)),
            $"{algorithm}: validation row {row}: ML.NET {mlnet:R}, served ONNX {served:R}");
}
