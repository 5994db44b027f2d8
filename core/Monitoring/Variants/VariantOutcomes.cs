using Serverless.Core.Models;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Training;

namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// One version's labelled rows (predictions joined with their outcome) reduced to what the variant tests need, in
/// constant memory: for classification how many were right (binary: the positive probability against the manifest's
/// threshold, as the live metrics score it, else the label; multiclass: the label), for regression the moments of the
/// absolute errors and their sum of squares (for RMSE). Rows whose outcome or prediction cannot be read are not counted.
/// Not thread-safe.
/// </summary>
public sealed class VariantOutcomes
{
    private readonly ModelManifest _manifest;
    private readonly string _positive;
    private double _squares;

    public VariantOutcomes(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _manifest = manifest;
        _positive = PredictionValues.PositiveLabel(manifest);
        Metric = manifest.Task == TabularTask.Regression ? MetricNames.Mae : MetricNames.Accuracy;
    }

    /// <summary><c>accuracy</c> or <c>mae</c>.</summary>
    public string Metric { get; }

    public bool IsRegression => Metric == MetricNames.Mae;

    /// <summary>Rows counted.</summary>
    public long Rows => IsRegression ? AbsoluteErrors.Count : Trials;

    /// <summary>Classification: rows predicted right.</summary>
    public long Correct { get; private set; }

    /// <summary>Classification: rows counted.</summary>
    public long Trials { get; private set; }

    /// <summary>Regression: |actual − predicted| per row.</summary>
    public Moments AbsoluteErrors { get; } = new();

    /// <summary>Regression: the root mean squared error; null without rows.</summary>
    public double? Rmse => AbsoluteErrors.Count == 0 ? null : Math.Sqrt(_squares / AbsoluteErrors.Count);

    public void Add(LabelledPrediction row)
    {
        if (IsRegression)
        {
            if (PredictionValues.Actual(row.Actual) is { } actual && row.Value is { } predicted && double.IsFinite(predicted))
            {
                var error = Math.Abs(actual - predicted);
                AbsoluteErrors.Add(error);
                _squares += error * error;
            }

            return;
        }

        bool right;
        if (_manifest.Task == TabularTask.Binary && row.PositiveProbability is { } probability)
        {
            var actualPositive = row.Actual == _positive || (_positive == "1" && row.Actual is "true" or "True");
            right = (probability >= _manifest.EffectiveThreshold) == actualPositive;
        }
        else if (row.Label is not null)
        {
            right = row.Label == row.Actual;
        }
        else
        {
            return;
        }

        Trials++;
        Correct += right ? 1 : 0;
    }

    /// <summary>The metric with its 95 % interval; null below two rows.</summary>
    public Estimate? Live() => Rows < 2 ? null : IsRegression ? AbsoluteErrors.MeanInterval() : Proportions.Wilson(Correct, Trials);

    /// <summary>This version (first) against <paramref name="champion"/> (second) on the metric; both with at least two rows and the same metric.</summary>
    public DifferenceTest CompareWith(VariantOutcomes champion)
    {
        ArgumentNullException.ThrowIfNull(champion);
        return IsRegression ? WelchTest.Compare(AbsoluteErrors, champion.AbsoluteErrors) : Proportions.Compare(Correct, Trials, champion.Correct, champion.Trials);
    }
}
