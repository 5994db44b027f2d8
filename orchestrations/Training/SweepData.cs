using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// The sweep's data after preparation: where the train and validation splits and the baseline are (absolute URIs
/// of the trial contract), the features in model order, the class labels (classification), the fingerprint and the feature
/// sets a point-in-time join took model features from (each with those features; null or empty: none), which the registered
/// model's manifest names so it serves with lookups.
/// </summary>
public sealed record SweepData(
    string TrainUri,
    string ValidationUri,
    string BaselineUri,
    string ProfileUri,
    IReadOnlyList<TrialFeature> Features,
    string? PositiveClass,
    IReadOnlyList<string>? ClassLabels,
    long TrainRows,
    long ValidationRows,
    long DroppedRows,
    string Fingerprint,
    IReadOnlyList<SweepFeatureSet>? FeatureSets = null);

/// <summary>
/// The orchestration's input: the request plus the host's trial settings and the trial cap, fixed at start so
/// replays agree (an input recorded before the cap existed gets <see cref="TrialPlanner.DefaultMaxTrials"/>).
/// </summary>
public sealed record SweepInput(string SweepId, TrainingSweepRequest Request, string RequestJson, TimeSpan PollInterval, TimeSpan TrialTimeout,
    int MaxTrials = TrialPlanner.DefaultMaxTrials);

/// <summary>One trial to run: the plan plus everything its spec needs.</summary>
public sealed record TrialWork(string SweepId, TrialPlan Trial, TrainingSweepRequest Request, SweepData Data, string OutputUri, TimeSpan PollInterval, TimeSpan Timeout,
    TrialWarmStart? WarmStart = null)
{
    public TrialSpec ToSpec(string outputUri) => new()
    {
        TrialId = Trial.TrialId,
        SweepId = SweepId,
        TrainUri = Data.TrainUri,
        ValidationUri = Data.ValidationUri,
        Target = Request.Target,
        Task = Request.Task,
        Features = Data.Features,
        PositiveClass = Data.PositiveClass,
        Algorithm = Trial.Algorithm,
        Hyperparameters = Trial.Hyperparameters,
        Seed = Request.Seed,
        OutputUri = outputUri,
        WarmStart = WarmStart,
    };
}

/// <summary>
/// How one trial ended: status (<see cref="TrialStatuses.Succeeded"/> or <see cref="TrialStatuses.Failed"/>), its metrics or error, timings,
/// and, when it was given a warm start, whether its trainer continued from it and the trainer's note (null: none asked).
/// </summary>
public sealed record TrialResult(
    string TrialId,
    string Algorithm,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement> Hyperparameters,
    string Status,
    IReadOnlyDictionary<string, double> Metrics,
    string? Error,
    string OutputUri,
    double? TrainSeconds,
    DateTime StartedUtc,
    DateTime EndedUtc,
    bool? WarmStart = null,
    string? WarmStartNote = null)
{
    public const string Succeeded = TrialStatuses.Succeeded;
    public const string Failed = TrialStatuses.Failed;

    public bool IsSuccess => Status == Succeeded;
}

/// <summary>The custom status while a sweep runs.</summary>
public sealed record SweepProgress(string Stage, int TrialsTotal, int TrialsDone, int TrialsFailed, string Metric, string? BestTrialId, double? BestValue);

/// <summary>The orchestration's output; <see cref="WarmStartNote"/> says why no trial was given a warm start when one was asked for and could not be found.</summary>
public sealed record SweepResult(
    string SweepId,
    string Metric,
    string BestTrialId,
    double BestValue,
    string ModelName,
    string RegisteredVersion,
    double? ServedValue,
    bool Promoted,
    string PromotionReason,
    IReadOnlyList<TrialResult> Leaderboard,
    int TrialsFailed,
    string? WarmStartNote = null);

/// <summary>
/// The warm start a sweep found for its trials (<see cref="ResolveWarmStartActivity"/>): the source every trial is given, or
/// null and why none could be found.
/// </summary>
public sealed record WarmStartSource(TrialWarmStart? Source, string? Reason);
