using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// What the built-in trainer checks in a spec before reading any data: the task, the algorithm and whether it
/// trains the task, the features (distinct, typed, not the target, not a name the model's outputs use) and the
/// hyperparameters' names. Throws <see cref="TrialException"/> naming the problem. Stateless; thread-safe.
/// </summary>
public static class TrialSpecChecks
{
    /// <summary>Column names ML.NET gives the model's own columns; a feature cannot use them.</summary>
    public static IReadOnlyList<string> ReservedNames { get; } =
        [TrialData.LabelColumn, PipelineFactory.FeaturesColumn, "Score", "Probability", "PredictedLabel"];

    /// <summary>Checks the spec and returns its hyperparameters, read for its algorithm.</summary>
    public static Hyperparameters Check(TrialSpec spec)
    {
        if (!Algorithms.Tasks.Contains(spec.Task, StringComparer.Ordinal))
        {
            throw new TrialException($"Unknown task '{spec.Task}'; use {string.Join(", ", Algorithms.Tasks)}.");
        }

        if (!Algorithms.All.Contains(spec.Algorithm, StringComparer.Ordinal))
        {
            throw new TrialException(HyperparameterCatalog.TrainerOf(spec.Algorithm) == TrainerKind.Torch
                ? $"'{spec.Algorithm}' is an algorithm of the torch trainer (trainer-torch/); the built-in trainer knows {string.Join(", ", Algorithms.All)}."
                : $"Unknown algorithm '{spec.Algorithm}'; the built-in trainer knows {string.Join(", ", Algorithms.All)}.");
        }

        if (Algorithms.Unsupported(spec.Algorithm, spec.Task) is { } why)
        {
            throw new TrialException(why);
        }

        if (string.IsNullOrWhiteSpace(spec.Target))
        {
            throw new TrialException("The spec names no target column.");
        }

        if (spec.PositiveClass is not null && spec.Task != Algorithms.Binary)
        {
            throw new TrialException($"positive_class is only for binary tasks, not {spec.Task}.");
        }

        CheckFeatures(spec);
        return Hyperparameters.For(spec.Algorithm, spec.Hyperparameters);
    }

    private static void CheckFeatures(TrialSpec spec)
    {
        if (spec.Features is null || spec.Features.Count == 0)
        {
            throw new TrialException("The spec lists no features.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feature in spec.Features)
        {
            if (string.IsNullOrWhiteSpace(feature.Name))
            {
                throw new TrialException("A feature has no name.");
            }

            if (feature.Type is not (TrialFeature.Numeric or TrialFeature.Categorical))
            {
                throw new TrialException($"Feature '{feature.Name}' has type '{feature.Type}'; use {TrialFeature.Numeric} or {TrialFeature.Categorical}.");
            }

            if (!names.Add(feature.Name))
            {
                throw new TrialException($"Feature '{feature.Name}' is listed more than once.");
            }

            if (feature.Name == spec.Target)
            {
                throw new TrialException($"'{feature.Name}' is the target; it cannot also be a feature.");
            }

            if (ReservedNames.Contains(feature.Name, StringComparer.Ordinal))
            {
                throw new TrialException(
                    $"Feature '{feature.Name}' has a name the model's own columns use ({string.Join(", ", ReservedNames)}); rename the column.");
            }
        }
    }
}
