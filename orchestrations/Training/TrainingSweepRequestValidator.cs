using System.Globalization;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Storage;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Checks a training sweep request before anything starts; every mistake is a BadRequest naming the field: the
/// dataset only in the data containers (<see cref="DataPath"/>), a model name and promotion alias the registry accepts,
/// a known task, a metric defined for it, known algorithms that train the task and hyperparameters known to the
/// algorithm and inside <see cref="HyperparameterCatalog"/>'s ranges, the trial count (counted, never
/// expanded) within <see cref="TrainingOptions.MaxTrialsPerSweep"/>, and <c>trial_timeout_minutes</c> within
/// <see cref="TrainingOptions.MaxTrialTimeoutMinutes"/>, and a <c>warm_start_from</c> naming a model and version as the registry
/// spells them. Stateless; thread-safe.
/// </summary>
public static class TrainingSweepRequestValidator
{
    public static IReadOnlyList<string> Algorithms => HyperparameterCatalog.Algorithms;

    public static IReadOnlyList<string> Tasks => HyperparameterCatalog.Tasks;

    /// <summary>The request with its metric normalised; BadRequest for the first mistake.</summary>
    public static TrainingSweepRequest Validate(TrainingSweepRequest request, TrainingOptions options, DataContainers containers)
    {
        Require(request.Dataset, "dataset", "the dataset blob as container/path of a CSV with a header row");
        Require(request.Target, "target", "the target column");
        Require(request.ModelName, "model_name", "the registry name the best model is registered under");
        ModelIdentifiers.ValidateName(request.ModelName, "model_name");
        CheckWarmStart(request.WarmStartFrom);
        var dataset = containers.Blob(request.Dataset, "dataset");

        if (!Tasks.Contains(request.Task))
        {
            throw ServingException.BadRequest($"'task' must be one of {string.Join(", ", Tasks)} (was {DataText.Quote(request.Task)}).");
        }

        var metric = MetricNames.Normalize(request.Metric)
            ?? throw ServingException.BadRequest($"'metric' must be one of {string.Join(", ", MetricNames.All)} (was {DataText.Quote(request.Metric)}).");
        if (!MetricNames.AppliesTo(metric, request.Task))
        {
            throw ServingException.BadRequest($"'metric' {metric} does not apply to {request.Task} tasks; use {string.Join(", ", MetricNames.For(request.Task))}.");
        }

        if (request.Algorithms is not { Count: > 0 })
        {
            throw ServingException.BadRequest($"'algorithms' needs at least one of {string.Join(", ", Algorithms)}.");
        }

        foreach (var search in request.Algorithms)
        {
            CheckSearch(search, request.Task);
        }

        CheckFeatures(request);
        CheckFeatureSets(request);
        if (request.PositiveClass is not null && request.Task != "binary")
        {
            throw ServingException.BadRequest("'positive_class' only applies to binary tasks.");
        }

        if (request.ValidationSplit is < 0.05 or > 0.5 || double.IsNaN(request.ValidationSplit))
        {
            throw ServingException.BadRequest($"'validation_split' must be between 0.05 and 0.5 (was {request.ValidationSplit.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (request.MaxParallelTrials is < 1 or > 32)
        {
            throw ServingException.BadRequest($"'max_parallel_trials' must be between 1 and 32 (was {request.MaxParallelTrials}).");
        }

        if (request.TrialTimeoutMinutes is { } timeout && (timeout < 1 || timeout > options.MaxTrialTimeoutMinutes))
        {
            throw ServingException.BadRequest(
                $"'trial_timeout_minutes' must be between 1 and {options.MaxTrialTimeoutMinutes} (Training:MaxTrialTimeoutMinutes) (was {timeout}).");
        }

        CheckPromotion(request.Promotion);
        var trials = TrialPlanner.Count(request);
        if (trials > options.MaxTrialsPerSweep)
        {
            throw ServingException.BadRequest(trials == long.MaxValue
                ? $"'algorithms': the sweep would run more than {long.MaxValue} trials; at most {options.MaxTrialsPerSweep} are allowed (Training:MaxTrialsPerSweep)."
                : $"'algorithms': the sweep would run {trials} trials; at most {options.MaxTrialsPerSweep} are allowed (Training:MaxTrialsPerSweep).");
        }

        return request with { Dataset = dataset.ToString(), Metric = metric };
    }

    private static void CheckSearch(AlgorithmSearch search, string task)
    {
        if (search is null || !Algorithms.Contains(search.Name))
        {
            throw ServingException.BadRequest(
                $"Unknown algorithm {DataText.Quote(search?.Name)}; the trainers know {string.Join(", ", Algorithms)}.");
        }

        Refuse(search.Name, null, HyperparameterCatalog.CheckTask(search.Name, task));

        if (search.Grid is not null && search.Random is not null)
        {
            throw ServingException.BadRequest($"Algorithm '{search.Name}': give a 'grid' or a 'random' search, not both.");
        }

        if (search.Grid is { } grid)
        {
            CheckNames(search.Name, grid.Keys);
            foreach (var (name, values) in grid)
            {
                if (values is not { Count: > 0 } || values.Any(v => v.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
                {
                    throw ServingException.BadRequest($"Algorithm '{search.Name}': grid '{name}' needs a list of numbers, strings or booleans.");
                }

                foreach (var value in values)
                {
                    Refuse(search.Name, "grid", HyperparameterCatalog.CheckValue(search.Name, name, value));
                }
            }
        }

        if (search.Random is { } random)
        {
            if (random.Trials is < 1 or > 100)
            {
                throw ServingException.BadRequest($"Algorithm '{search.Name}': random 'trials' must be between 1 and 100 (was {random.Trials}).");
            }

            var space = random.Space ?? throw ServingException.BadRequest($"Algorithm '{search.Name}': random search needs a 'space'.");
            CheckNames(search.Name, space.Keys);
            foreach (var (name, range) in space)
            {
                CheckRange(search.Name, name, range);
            }
        }
    }

    private static void CheckNames(string algorithm, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            Refuse(algorithm, null, HyperparameterCatalog.CheckName(algorithm, name));
        }

        Refuse(algorithm, null, HyperparameterCatalog.CheckAliases(algorithm, names));
    }

    private static void CheckRange(string algorithm, string name, ParameterRange range)
    {
        var hasValues = range.Values is { Count: > 0 };
        var hasRange = range.Min is { } min && range.Max is { } max && min <= max && (!range.Log || min > 0);
        if (hasValues == hasRange)
        {
            throw ServingException.BadRequest($"Algorithm '{algorithm}': space '{name}' needs either 'values' or 'min' ≤ 'max' (positive when 'log').");
        }

        if (hasValues)
        {
            foreach (var value in range.Values!)
            {
                Refuse(algorithm, "space", HyperparameterCatalog.CheckValue(algorithm, name, value));
            }

            return;
        }

        var spec = HyperparameterCatalog.Find(algorithm, name)!;
        if (spec.Kind == HyperparameterKind.Integer && !range.Integer)
        {
            throw ServingException.BadRequest($"Algorithm '{algorithm}': space '{name}' is {spec.Range}: set 'integer': true.");
        }

        // Integer draws are rounded, so the bounds themselves must be allowed values.
        Refuse(algorithm, "space", HyperparameterCatalog.CheckNumber(algorithm, spec, range.Min!.Value)
                                   ?? HyperparameterCatalog.CheckNumber(algorithm, spec, range.Max!.Value));
    }

    private static void Refuse(string algorithm, string? where, string? problem)
    {
        if (problem is not null)
        {
            throw ServingException.BadRequest(where is null ? $"'algorithms': {problem}" : $"'algorithms' ({algorithm} {where}): {problem}");
        }
    }

    private static void CheckFeatures(TrainingSweepRequest request)
    {
        foreach (var feature in request.Features ?? [])
        {
            if (feature is null || string.IsNullOrWhiteSpace(feature.Name) || feature.Type is not (TrialFeature.Numeric or TrialFeature.Categorical))
            {
                throw ServingException.BadRequest(
                    $"'features': each needs a name and type numeric or categorical (got {DataText.Quote(feature?.Name)}: {DataText.Quote(feature?.Type)}).");
            }

            if (feature.Name == request.Target)
            {
                throw ServingException.BadRequest($"'features' lists the target {DataText.Quote(request.Target)}.");
            }
        }
    }

    private static void CheckFeatureSets(TrainingSweepRequest request)
    {
        if (request.FeatureSets is not { } sets)
        {
            return;
        }

        if (sets.Count > SweepFeatureJoin.MaxSets)
        {
            throw ServingException.BadRequest($"'feature_sets' may join at most {SweepFeatureJoin.MaxSets} feature sets (was {sets.Count}).");
        }

        Require(request.EventTimeColumn, "event_time_column", "the dataset column with each row's event time, which feature sets are joined as of");
        for (var s = 0; s < sets.Count; s++)
        {
            var set = sets[s] ?? throw ServingException.BadRequest($"'feature_sets[{s}]' must be an object with name and version.");
            Require(set.Name, $"feature_sets[{s}].name", "the feature set's name");
            Require(set.Version, $"feature_sets[{s}].version", "the feature set's version");
            ModelIdentifiers.ValidateName(set.Name, $"feature_sets[{s}].name");
            ModelIdentifiers.ValidateVersion(set.Version, $"feature_sets[{s}].version");
            if (set.Features is { } features && (features.Count == 0 || features.Any(f => string.IsNullOrWhiteSpace(f) || f == request.Target)))
            {
                throw ServingException.BadRequest($"'feature_sets[{s}].features' must list feature names (not the target), or be left out for all of the set's features.");
            }
        }
    }

    private static void CheckPromotion(PromotionPolicy promotion)
    {
        if (promotion is null || promotion.Policy is not (PromotionPolicy.None or PromotionPolicy.PromoteIfBetter))
        {
            throw ServingException.BadRequest(
                $"'promotion.policy' must be '{PromotionPolicy.None}' or '{PromotionPolicy.PromoteIfBetter}' (was {DataText.Quote(promotion?.Policy)}).");
        }

        if (promotion.Margin < 0 || !double.IsFinite(promotion.Margin))
        {
            throw ServingException.BadRequest($"'promotion.margin' must be a non-negative number (was {promotion.Margin.ToString(CultureInfo.InvariantCulture)}).");
        }

        ModelIdentifiers.ValidateAlias(promotion.Alias, "promotion.alias");
    }

    private static void CheckWarmStart(SweepWarmStart? warm)
    {
        if (warm is null)
        {
            return;
        }

        Require(warm.Version, "warm_start_from.version", "the registered version whose trial the sweep continues from");
        ModelIdentifiers.ValidateVersion(warm.Version, "warm_start_from.version");
        if (warm.Model is not null)
        {
            ModelIdentifiers.ValidateName(warm.Model, "warm_start_from.model");
        }
    }

    private static void Require(string? value, string field, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw ServingException.BadRequest($"'{field}' is required: {what}.");
        }
    }
}
