namespace Serverless.Core.Training.Tracking;

/// <summary>MLflow's lifecycle stages and run statuses, as its API spells them.</summary>
public static class Lifecycle
{
    public const string Active = "active";
    public const string Deleted = "deleted";

    public const string Running = "RUNNING";
    public const string Scheduled = "SCHEDULED";
    public const string Finished = "FINISHED";
    public const string Failed = "FAILED";
    public const string Killed = "KILLED";

    public static IReadOnlyList<string> Statuses { get; } = [Running, Scheduled, Finished, Failed, Killed];

    /// <summary>The tag MLflow keeps in step with a run's name.</summary>
    public const string RunNameTag = "mlflow.runName";

    /// <summary>The tag naming a nested run's parent.</summary>
    public const string ParentRunIdTag = "mlflow.parentRunId";
}

/// <summary>Which lifecycle stages a search returns (MLflow's ViewType).</summary>
public enum ViewType
{
    ActiveOnly,
    DeletedOnly,
    All,
}

/// <summary>An experiment as tracked. Times are Unix epoch milliseconds. Immutable.</summary>
public sealed record TrackedExperiment(
    string ExperimentId,
    string Name,
    string ArtifactLocation,
    string LifecycleStage,
    long CreationTime,
    long LastUpdateTime,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>A run's metadata. Times are Unix epoch milliseconds; <see cref="EndTime"/> is null while it runs. Immutable.</summary>
public sealed record TrackedRunInfo(
    string RunId,
    string ExperimentId,
    string RunName,
    string UserId,
    string Status,
    long StartTime,
    long? EndTime,
    string ArtifactUri,
    string LifecycleStage);

/// <summary>One metric value: key, value, timestamp (epoch ms) and step.</summary>
public readonly record struct LoggedMetric(string Key, double Value, long Timestamp, long Step)
{
    /// <summary>Whether this value replaces <paramref name="other"/> as the key's latest (MLflow: greatest step, then timestamp, then value).</summary>
    public bool IsLaterThan(LoggedMetric other) =>
        Step != other.Step ? Step > other.Step
        : Timestamp != other.Timestamp ? Timestamp > other.Timestamp
        : Value.CompareTo(other.Value) > 0;
}

/// <summary>A run with its data: the latest value of each metric, its params and its tags. Immutable.</summary>
public sealed record TrackedRun(
    TrackedRunInfo Info,
    IReadOnlyList<LoggedMetric> Metrics,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>One page of a search: the items and the token of the next page (null on the last).</summary>
public sealed record SearchPage<T>(IReadOnlyList<T> Items, string? NextPageToken);

/// <summary>What a run update changes; null leaves a field as it is.</summary>
public sealed record RunUpdate(string? Status, long? EndTime, string? RunName);

/// <summary>A log-batch request: metrics (appended), params (immutable once set) and tags (last one wins), in request order.</summary>
public sealed record RunBatch(
    IReadOnlyList<LoggedMetric> Metrics,
    IReadOnlyList<KeyValuePair<string, string>> Params,
    IReadOnlyList<KeyValuePair<string, string>> Tags);
