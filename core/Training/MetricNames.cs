namespace Serverless.Core.Training;

/// <summary>The metrics a sweep can optimise, their tasks and whether higher is better.</summary>
public static class MetricNames
{
    public const string Auc = "auc";
    public const string Accuracy = "accuracy";
    public const string F1 = "f1";
    public const string LogLoss = "log_loss";
    public const string Rmse = "rmse";
    public const string Mae = "mae";
    public const string R2 = "r2";

    public static IReadOnlyList<string> All { get; } = [Auc, Accuracy, F1, LogLoss, Rmse, Mae, R2];

    /// <summary>Accepts the canonical names and the spellings people type (AUC, logloss, log-loss, R²...).</summary>
    public static string? Normalize(string? name) => name?.Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        "auc" or "roc_auc" or "auroc" => Auc,
        "accuracy" or "acc" => Accuracy,
        "f1" or "f1_score" => F1,
        "log_loss" or "logloss" => LogLoss,
        "rmse" => Rmse,
        "mae" => Mae,
        "r2" or "r²" or "r_squared" => R2,
        _ => null,
    };

    public static bool HigherIsBetter(string metric) => metric is not (LogLoss or Rmse or Mae);

    /// <summary>Whether the metric is defined for the task (binary, multiclass, regression).</summary>
    public static bool AppliesTo(string metric, string task) => task switch
    {
        "binary" => metric is Auc or Accuracy or F1 or LogLoss,
        "multiclass" => metric is Accuracy or F1 or LogLoss,
        "regression" => metric is Rmse or Mae or R2,
        _ => false,
    };

    /// <summary>The metrics defined for the task, in <see cref="All"/>'s order; empty for an unknown task.</summary>
    public static IReadOnlyList<string> For(string task) => All.Where(m => AppliesTo(m, task)).ToList();

    /// <summary>True when <paramref name="candidate"/> beats <paramref name="incumbent"/> by more than <paramref name="margin"/> (metric units).</summary>
    public static bool IsBetter(string metric, double candidate, double incumbent, double margin = 0) =>
        HigherIsBetter(metric) ? candidate > incumbent + margin : candidate < incumbent - margin;
}
