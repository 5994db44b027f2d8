using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Training;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Training;

/// <summary>Reads and validates the JSON body that starts a training sweep (snake_case fields); every mistake is a 400 naming the field.</summary>
internal static class TrainingSweepRequestReader
{
    public static readonly IReadOnlyList<string> Algorithms = ["lightgbm", "fasttree", "lbfgs", "sdca"];
    public static readonly IReadOnlyList<string> Tasks = ["binary", "multiclass", "regression"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static TrainingSweepRequest Read(ReadOnlyMemory<byte> body)
    {
        TrainingSweepRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<TrainingSweepRequest>(body.Span, Json);
        }
        catch (JsonException e)
        {
            throw ServingException.BadRequest($"Malformed training sweep request: {e.Message}", e);
        }

        return Validate(request ?? throw ServingException.BadRequest("The body must be a JSON object."));
    }

    private static TrainingSweepRequest Validate(TrainingSweepRequest request)
    {
        Require(request.Dataset, "dataset", "the dataset blob as container/path of a CSV with a header row");
        Require(request.Target, "target", "the target column");
        Require(request.ModelName, "model_name", "the registry name the best model is registered under");
        ModelIdentifiers.ValidateName(request.ModelName);
        try
        {
            BlobPaths.Split(request.Dataset);
        }
        catch (ArgumentException e)
        {
            throw ServingException.BadRequest($"'dataset': {e.Message}");
        }

        if (!Tasks.Contains(request.Task))
        {
            throw ServingException.BadRequest($"'task' must be one of {string.Join(", ", Tasks)} (was '{request.Task}').");
        }

        var metric = MetricNames.Normalize(request.Metric)
            ?? throw ServingException.BadRequest($"'metric' must be one of {string.Join(", ", MetricNames.All)} (was '{request.Metric}').");
        if (!MetricNames.AppliesTo(metric, request.Task))
        {
            throw ServingException.BadRequest($"'metric' {metric} does not apply to {request.Task} tasks.");
        }

        if (request.Algorithms is not { Count: > 0 })
        {
            throw ServingException.BadRequest($"'algorithms' needs at least one of {string.Join(", ", Algorithms)}.");
        }

        foreach (var search in request.Algorithms)
        {
            CheckSearch(search);
        }

        foreach (var feature in request.Features ?? [])
        {
            if (string.IsNullOrWhiteSpace(feature.Name) || feature.Type is not (TrialFeature.Numeric or TrialFeature.Categorical))
            {
                throw ServingException.BadRequest($"'features': each needs a name and type numeric or categorical (got '{feature.Name}': '{feature.Type}').");
            }

            if (feature.Name == request.Target)
            {
                throw ServingException.BadRequest($"'features' lists the target '{request.Target}'.");
            }
        }

        if (request.PositiveClass is not null && request.Task != "binary")
        {
            throw ServingException.BadRequest("'positive_class' only applies to binary tasks.");
        }

        if (request.ValidationSplit is < 0.05 or > 0.5)
        {
            throw ServingException.BadRequest($"'validation_split' must be between 0.05 and 0.5 (was {request.ValidationSplit}).");
        }

        if (request.MaxParallelTrials is < 1 or > 32)
        {
            throw ServingException.BadRequest($"'max_parallel_trials' must be between 1 and 32 (was {request.MaxParallelTrials}).");
        }

        CheckPromotion(request.Promotion);
        try
        {
            TrialPlanner.Plan(request with { Metric = metric });
        }
        catch (ArgumentException e)
        {
            throw ServingException.BadRequest($"'algorithms': {e.Message}");
        }

        return request with { Metric = metric };
    }

    private static void CheckSearch(AlgorithmSearch search)
    {
        if (!Algorithms.Contains(search.Name))
        {
            throw ServingException.BadRequest($"Unknown algorithm '{search.Name}'; the built-in trainer knows {string.Join(", ", Algorithms)}.");
        }

        if (search.Grid is not null && search.Random is not null)
        {
            throw ServingException.BadRequest($"Algorithm '{search.Name}': give a 'grid' or a 'random' search, not both.");
        }

        foreach (var (name, values) in search.Grid ?? new Dictionary<string, IReadOnlyList<JsonElement>>())
        {
            if (values is not { Count: > 0 } || values.Any(v => v.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            {
                throw ServingException.BadRequest($"Algorithm '{search.Name}': grid '{name}' needs a list of numbers, strings or booleans.");
            }
        }

        if (search.Random is { } random)
        {
            if (random.Trials is < 1 or > 100)
            {
                throw ServingException.BadRequest($"Algorithm '{search.Name}': random 'trials' must be between 1 and 100 (was {random.Trials}).");
            }

            foreach (var (name, range) in random.Space ?? throw ServingException.BadRequest($"Algorithm '{search.Name}': random search needs a 'space'."))
            {
                var hasValues = range.Values is { Count: > 0 };
                var hasRange = range.Min is { } min && range.Max is { } max && min <= max && (!range.Log || min > 0);
                if (hasValues == hasRange)
                {
                    throw ServingException.BadRequest(
                        $"Algorithm '{search.Name}': space '{name}' needs either 'values' or 'min' ≤ 'max' (positive when 'log').");
                }
            }
        }
    }

    private static void CheckPromotion(PromotionPolicy promotion)
    {
        if (promotion.Policy is not (PromotionPolicy.None or PromotionPolicy.PromoteIfBetter))
        {
            throw ServingException.BadRequest(
                $"'promotion.policy' must be '{PromotionPolicy.None}' or '{PromotionPolicy.PromoteIfBetter}' (was '{promotion.Policy}').");
        }

        if (promotion.Margin < 0 || !double.IsFinite(promotion.Margin))
        {
            throw ServingException.BadRequest($"'promotion.margin' must be a non-negative number (was {promotion.Margin}).");
        }

        ModelIdentifiers.ValidateAlias(promotion.Alias);
    }

    private static void Require(string? value, string field, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw ServingException.BadRequest($"'{field}' is required: {what}.");
        }
    }
}
