namespace Serverless.Core.Training;

/// <summary>
/// Evaluation metrics, computed the same way for the trainer's report and the platform's own evaluation of a
/// registered model, so trial and promotion decisions compare like with like. Pure functions; thread-safe.
/// Multiclass F1 is macro-averaged; log-loss clips probabilities to [1e-15, 1 - 1e-15]; AUC is the
/// Mann–Whitney statistic with ties counted half (scikit-learn's roc_auc_score).
/// </summary>
public static class ModelMetrics
{
    private const double Epsilon = 1e-15;

    /// <summary>Binary: labels are 0/1, probabilities are of class 1, predicted labels use the threshold.</summary>
    public static Dictionary<string, double> Binary(IReadOnlyList<int> labels, IReadOnlyList<double> probabilities, double threshold = 0.5)
    {
        Check(labels.Count, probabilities.Count);
        int tp = 0, fp = 0, fn = 0, correct = 0;
        var logLoss = 0.0;
        for (var i = 0; i < labels.Count; i++)
        {
            var predicted = probabilities[i] >= threshold ? 1 : 0;
            correct += predicted == labels[i] ? 1 : 0;
            tp += predicted == 1 && labels[i] == 1 ? 1 : 0;
            fp += predicted == 1 && labels[i] == 0 ? 1 : 0;
            fn += predicted == 0 && labels[i] == 1 ? 1 : 0;
            var p = Math.Clamp(probabilities[i], Epsilon, 1 - Epsilon);
            logLoss -= labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }

        return new Dictionary<string, double>
        {
            [MetricNames.Auc] = Auc(labels, probabilities),
            [MetricNames.Accuracy] = (double)correct / labels.Count,
            [MetricNames.F1] = F1(tp, fp, fn),
            [MetricNames.LogLoss] = logLoss / labels.Count,
        };
    }

    /// <summary>Multiclass: labels are class indexes 0..C-1; probabilities[i] has C entries.</summary>
    public static Dictionary<string, double> Multiclass(IReadOnlyList<int> labels, IReadOnlyList<IReadOnlyList<double>> probabilities, int classes)
    {
        Check(labels.Count, probabilities.Count);
        var tp = new int[classes];
        var fp = new int[classes];
        var fn = new int[classes];
        var correct = 0;
        var logLoss = 0.0;
        for (var i = 0; i < labels.Count; i++)
        {
            var row = probabilities[i];
            var predicted = 0;
            for (var c = 1; c < row.Count; c++)
            {
                predicted = row[c] > row[predicted] ? c : predicted;
            }

            if (predicted == labels[i])
            {
                correct++;
                tp[predicted]++;
            }
            else
            {
                fp[predicted]++;
                fn[labels[i]]++;
            }

            logLoss -= Math.Log(Math.Clamp(labels[i] < row.Count ? row[labels[i]] : 0, Epsilon, 1 - Epsilon));
        }

        var f1 = 0.0;
        for (var c = 0; c < classes; c++)
        {
            f1 += F1(tp[c], fp[c], fn[c]);
        }

        return new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = (double)correct / labels.Count,
            [MetricNames.F1] = f1 / classes,
            [MetricNames.LogLoss] = logLoss / labels.Count,
        };
    }

    public static Dictionary<string, double> Regression(IReadOnlyList<double> actual, IReadOnlyList<double> predicted)
    {
        Check(actual.Count, predicted.Count);
        var mean = actual.Average();
        double squared = 0, absolute = 0, total = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            var error = actual[i] - predicted[i];
            squared += error * error;
            absolute += Math.Abs(error);
            total += (actual[i] - mean) * (actual[i] - mean);
        }

        return new Dictionary<string, double>
        {
            [MetricNames.Rmse] = Math.Sqrt(squared / actual.Count),
            [MetricNames.Mae] = absolute / actual.Count,
            [MetricNames.R2] = total == 0 ? (squared == 0 ? 1 : 0) : 1 - (squared / total),
        };
    }

    /// <summary>Area under the ROC curve; 0.5 when only one class is present.</summary>
    public static double Auc(IReadOnlyList<int> labels, IReadOnlyList<double> scores)
    {
        Check(labels.Count, scores.Count);
        var order = Enumerable.Range(0, labels.Count).OrderBy(i => scores[i]).ToArray();
        long positives = labels.Count(l => l == 1);
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return 0.5;
        }

        // Sum of the positives' ranks (1-based, ties get their average rank).
        var rankSum = 0.0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = ((start + 1) + (end + 1)) / 2.0;
            for (var k = start; k <= end; k++)
            {
                rankSum += labels[order[k]] == 1 ? averageRank : 0;
            }

            start = end + 1;
        }

        return (rankSum - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }

    private static double F1(int tp, int fp, int fn) => tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn);

    private static void Check(int labels, int predictions)
    {
        if (labels == 0 || labels != predictions)
        {
            throw new ArgumentException($"Metrics need as many predictions as labels, at least one ({labels} labels, {predictions} predictions).");
        }
    }
}
