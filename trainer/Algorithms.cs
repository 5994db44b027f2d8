namespace Serverless.Trainer;

/// <summary>
/// The built-in trainer's algorithms, the tasks each supports and the hyperparameters each takes
/// (snake_case, as in <c>spec.json</c>). Stateless; thread-safe.
/// </summary>
public static class Algorithms
{
    public const string LightGbm = "lightgbm";
    public const string FastTree = "fasttree";
    public const string Lbfgs = "lbfgs";
    public const string Sdca = "sdca";

    public const string Binary = "binary";
    public const string Multiclass = "multiclass";
    public const string Regression = "regression";

    public static IReadOnlyList<string> All { get; } = [LightGbm, FastTree, Lbfgs, Sdca];

    public static IReadOnlyList<string> Tasks { get; } = [Binary, Multiclass, Regression];

    /// <summary>The hyperparameter names an algorithm accepts; empty for an unknown algorithm.</summary>
    public static IReadOnlyList<string> KnownHyperparameters(string algorithm) => algorithm switch
    {
        LightGbm => ["num_leaves", "learning_rate", "num_iterations", "n_estimators", "min_data_in_leaf"],
        FastTree => ["num_leaves", "num_trees", "learning_rate", "min_data_in_leaf"],
        Lbfgs => ["l1_regularization", "l2_regularization", "optimization_tolerance"],
        Sdca => ["l1_regularization", "l2_regularization", "max_iterations"],
        _ => [],
    };

    /// <summary>Why the algorithm cannot train the task, or null when it can.</summary>
    public static string? Unsupported(string algorithm, string task) => (algorithm, task) switch
    {
        (Lbfgs, Regression) => "lbfgs does linear classification; use sdca for linear regression.",
        _ => null,
    };
}
