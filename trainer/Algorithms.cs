using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// The built-in trainer's algorithms, the tasks each supports and the hyperparameters each takes
/// (snake_case, as in <c>spec.json</c>), from the catalog the sweep API shares (<see cref="HyperparameterCatalog"/>).
/// Stateless; thread-safe.
/// </summary>
public static class Algorithms
{
    public const string LightGbm = HyperparameterCatalog.LightGbm;
    public const string FastTree = HyperparameterCatalog.FastTree;
    public const string Lbfgs = HyperparameterCatalog.Lbfgs;
    public const string Sdca = HyperparameterCatalog.Sdca;

    public const string Binary = HyperparameterCatalog.Binary;
    public const string Multiclass = HyperparameterCatalog.Multiclass;
    public const string Regression = HyperparameterCatalog.Regression;

    public static IReadOnlyList<string> All { get; } = HyperparameterCatalog.BuiltInAlgorithms;

    public static IReadOnlyList<string> Tasks { get; } = HyperparameterCatalog.Tasks;

    /// <summary>The hyperparameter names an algorithm accepts; empty for an unknown algorithm.</summary>
    public static IReadOnlyList<string> KnownHyperparameters(string algorithm) => HyperparameterCatalog.Names(algorithm);

    /// <summary>Why the algorithm cannot train the task (<see cref="HyperparameterCatalog.CheckTask"/>), or null when it can.</summary>
    public static string? Unsupported(string algorithm, string task) => HyperparameterCatalog.CheckTask(algorithm, task);
}
