using Serverless.Core.Models;
using Serverless.Core.Training;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Computes the task's metrics on logged predictions joined with their outcomes (<see cref="LabelledPrediction"/>)
/// with the same code trainers report with (<see cref="ModelMetrics"/>), then compares the primary metric (binary:
/// AUC when both classes occur, else accuracy; multiclass: accuracy; regression: RMSE) with the validation value
/// recorded at training: worse by more than the margin is decay. Pure; thread-safe.
/// </summary>
public static class LivePerformanceCalculator
{
    public static LivePerformance Compute(IReadOnlyList<LabelledPrediction> labelled, ModelManifest manifest, IReadOnlyDictionary<string, double>? validation,
        double margin, int minimumRows)
    {
        validation ??= new Dictionary<string, double>();
        if (labelled.Count < minimumRows)
        {
            return new LivePerformance(labelled.Count, null, new Dictionary<string, double>(), validation, false,
                $"{labelled.Count} labelled prediction(s) in the window; at least {minimumRows} are needed to judge performance");
        }

        Dictionary<string, double> live;
        string metric;
        switch (manifest.Task)
        {
            case TabularTask.Regression:
                var pairs = labelled.Select(x => (Actual: PredictionValues.Actual(x.Actual), Predicted: x.Value)).Where(p => p.Actual is not null && p.Predicted is not null).ToList();
                live = ModelMetrics.Regression(pairs.Select(p => p.Actual!.Value).ToList(), pairs.Select(p => p.Predicted!.Value).ToList());
                metric = MetricNames.Rmse;
                break;
            case TabularTask.Binary:
                var positive = PredictionValues.PositiveLabel(manifest);
                var scored = labelled.Select(x => (Label: x.Actual == positive || (positive == "1" && x.Actual is "true" or "True") ? 1 : 0,
                    Probability: x.PositiveProbability)).Where(x => x.Probability is not null).ToList();
                live = ModelMetrics.Binary(scored.Select(x => x.Label).ToList(), scored.Select(x => x.Probability!.Value).ToList(), manifest.EffectiveThreshold);
                metric = scored.Select(x => x.Label).Distinct().Count() == 2 ? MetricNames.Auc : MetricNames.Accuracy;
                if (metric != MetricNames.Auc)
                {
                    live.Remove(MetricNames.Auc);
                }

                break;
            default:
                var correct = labelled.Count(x => x.Label == x.Actual);
                live = new Dictionary<string, double> { [MetricNames.Accuracy] = (double)correct / labelled.Count };
                metric = MetricNames.Accuracy;
                break;
        }

        if (!validation.TryGetValue(metric, out var expected) || !live.TryGetValue(metric, out var observed))
        {
            return new LivePerformance(labelled.Count, metric, live, validation, false, $"no validation {metric} was recorded at training to compare with");
        }

        var decayed = MetricNames.IsBetter(metric, expected, observed, margin);
        return new LivePerformance(labelled.Count, metric, live, validation, decayed,
            decayed ? $"live {metric} {observed:G4} is worse than the validation {metric} {expected:G4} by more than {margin:G4}" : null);
    }
}
