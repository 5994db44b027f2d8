using System.Text.Json;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// A training sweep as asked for: the dataset (<c>container/path</c> of a CSV with a header), the target and task,
/// the features (inferred from the other columns when absent), the algorithms with their search spaces, how to
/// validate and what to optimise, and what to do with the winner. Immutable; serialised into orchestration history.
/// </summary>
public sealed record TrainingSweepRequest
{
    public required string Dataset { get; init; }

    public required string Target { get; init; }

    /// <summary><c>binary</c>, <c>multiclass</c> or <c>regression</c>.</summary>
    public required string Task { get; init; }

    /// <summary>Feature columns and types; null infers them from every column but the target and <see cref="ExcludeColumns"/>.</summary>
    public IReadOnlyList<SweepFeature>? Features { get; init; }

    /// <summary>Columns that are not features when features are inferred (ids, timestamps).</summary>
    public IReadOnlyList<string> ExcludeColumns { get; init; } = [];

    /// <summary>
    /// Feature sets joined onto the dataset's rows point in time (<see cref="SweepFeatureJoin"/>): each row gets every listed feature as it
    /// was at the row's <see cref="EventTimeColumn"/>, found by the set's entity key column(s), which the dataset must have. Null: no join.
    /// </summary>
    public IReadOnlyList<SweepFeatureSet>? FeatureSets { get; init; }

    /// <summary>The dataset column holding each row's event time (ISO 8601; UTC when no offset is given), for <see cref="FeatureSets"/>.</summary>
    public string EventTimeColumn { get; init; } = "event_time";

    /// <summary>Binary only: the target value that is the positive class (default "1" or "true").</summary>
    public string? PositiveClass { get; init; }

    public required IReadOnlyList<AlgorithmSearch> Algorithms { get; init; }

    /// <summary>Share of rows held out for validation (stratified by class for classification), 0.05 to 0.5.</summary>
    public double ValidationSplit { get; init; } = 0.2;

    /// <summary>The metric to optimise, one of <see cref="Core.Training.MetricNames"/>.</summary>
    public required string Metric { get; init; }

    public int MaxParallelTrials { get; init; } = 2;

    /// <summary>Minutes each trial may run; null takes <c>Training:TrialTimeoutMinutes</c>. At most <c>Training:MaxTrialTimeoutMinutes</c>.</summary>
    public int? TrialTimeoutMinutes { get; init; }

    /// <summary>The registry name the best model is registered under, as a new version.</summary>
    public required string ModelName { get; init; }

    public PromotionPolicy Promotion { get; init; } = new();

    /// <summary>Seeds the split, the random search and every trainer.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Optional: a registered version whose trial the sweep's trials continue from where their trainer can (warm start); found
    /// by the app from the version's lineage (the sweep and trial that registered it), never from a location the caller sends.
    /// </summary>
    public SweepWarmStart? WarmStartFrom { get; init; }
}

/// <summary>The registered version a sweep warm-starts from: its version and model (null: the sweep's <c>model_name</c>).</summary>
public sealed record SweepWarmStart(string Version, string? Model = null);

/// <summary>A feature set version joined onto a sweep's dataset, and which of its features to add (null: all of them).</summary>
public sealed record SweepFeatureSet(string Name, string Version, IReadOnlyList<string>? Features = null);

/// <summary>One feature: column name and <c>numeric</c> or <c>categorical</c>.</summary>
public sealed record SweepFeature(string Name, string Type);

/// <summary>
/// One algorithm and how to search its hyperparameters: a <see cref="Grid"/> (every combination), a
/// <see cref="Random"/> search, or neither (one trial with the trainer's defaults).
/// </summary>
public sealed record AlgorithmSearch
{
    public required string Name { get; init; }

    /// <summary>Values to try per hyperparameter; the trials are the Cartesian product.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>>? Grid { get; init; }

    public RandomSearch? Random { get; init; }
}

/// <summary><see cref="Trials"/> draws from <see cref="Space"/> with <see cref="Seed"/> (default: the sweep's seed).</summary>
public sealed record RandomSearch
{
    public required int Trials { get; init; }

    public int? Seed { get; init; }

    public required IReadOnlyDictionary<string, ParameterRange> Space { get; init; }
}

/// <summary>A hyperparameter's range: <see cref="Values"/> to choose from, or [<see cref="Min"/>, <see cref="Max"/>] (log-uniform when <see cref="Log"/>, whole numbers when <see cref="Integer"/>).</summary>
public sealed record ParameterRange
{
    public IReadOnlyList<JsonElement>? Values { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    public bool Log { get; init; }

    public bool Integer { get; init; }
}

/// <summary>
/// What happens to the registered winner: <c>none</c>, or <c>promote-if-better</c> — move <see cref="Alias"/> to
/// it when it beats the version the alias points to by more than <see cref="Margin"/> (metric units) on this sweep's
/// validation rows, or when the alias does not exist yet.
/// </summary>
public sealed record PromotionPolicy
{
    public const string None = "none";
    public const string PromoteIfBetter = "promote-if-better";

    public string Policy { get; init; } = None;

    public double Margin { get; init; }

    public string Alias { get; init; } = "production";
}
