using Serverless.Core.Training.Tracking;

namespace Serverless.Functions.Mlflow;

/// <summary>A tag or param as MLflow writes them.</summary>
public sealed record MlflowKeyValue(string? Key, string? Value);

/// <summary>A metric value (request and answer): key, value, timestamp (epoch ms), step.</summary>
public sealed record MlflowMetric(string? Key, double? Value, long? Timestamp, long? Step)
{
    public static MlflowMetric From(LoggedMetric metric) => new(metric.Key, metric.Value, metric.Timestamp, metric.Step);
}

/// <summary>MLflow's Experiment.</summary>
public sealed record MlflowExperiment(string ExperimentId, string Name, string ArtifactLocation, string LifecycleStage, long LastUpdateTime,
    long CreationTime, IReadOnlyList<MlflowKeyValue> Tags)
{
    public static MlflowExperiment From(TrackedExperiment e) => new(e.ExperimentId, e.Name, e.ArtifactLocation, e.LifecycleStage, e.LastUpdateTime,
        e.CreationTime, [.. e.Tags.Select(t => new MlflowKeyValue(t.Key, t.Value))]);
}

/// <summary>MLflow's RunInfo (<c>run_uuid</c> is the deprecated spelling of <c>run_id</c>, still read by older clients).</summary>
public sealed record MlflowRunInfo(string RunId, string RunUuid, string RunName, string ExperimentId, string UserId, string Status, long StartTime,
    long? EndTime, string ArtifactUri, string LifecycleStage)
{
    public static MlflowRunInfo From(TrackedRunInfo i) =>
        new(i.RunId, i.RunId, i.RunName, i.ExperimentId, i.UserId, i.Status, i.StartTime, i.EndTime, i.ArtifactUri, i.LifecycleStage);
}

/// <summary>MLflow's RunData: the latest value of each metric, the params and the tags.</summary>
public sealed record MlflowRunData(IReadOnlyList<MlflowMetric> Metrics, IReadOnlyList<MlflowKeyValue> Params, IReadOnlyList<MlflowKeyValue> Tags);

/// <summary>MLflow's RunInputs (dataset inputs are not tracked here: always empty).</summary>
public sealed record MlflowRunInputs;

/// <summary>MLflow's Run.</summary>
public sealed record MlflowRun(MlflowRunInfo Info, MlflowRunData Data, MlflowRunInputs Inputs)
{
    public static MlflowRun From(TrackedRun r) => new(MlflowRunInfo.From(r.Info), new MlflowRunData(
        [.. r.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(MlflowMetric.From)],
        [.. r.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new MlflowKeyValue(p.Key, p.Value))],
        [.. r.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new MlflowKeyValue(t.Key, t.Value))]), new MlflowRunInputs());
}

/// <summary>An answer with nothing in it (<c>{}</c>), as MLflow's write endpoints answer.</summary>
public sealed record MlflowEmptyResponse;

public sealed record MlflowCreateExperimentRequest(string? Name, string? ArtifactLocation, IReadOnlyList<MlflowKeyValue>? Tags);

public sealed record MlflowCreateExperimentResponse(string ExperimentId);

public sealed record MlflowExperimentResponse(MlflowExperiment Experiment);

public sealed record MlflowExperimentIdRequest(string? ExperimentId);

public sealed record MlflowExperimentByNameRequest(string? ExperimentName);

public sealed record MlflowUpdateExperimentRequest(string? ExperimentId, string? NewName);

public sealed record MlflowSetExperimentTagRequest(string? ExperimentId, string? Key, string? Value);

public sealed record MlflowSearchExperimentsRequest(long? MaxResults, string? PageToken, string? Filter, IReadOnlyList<string>? OrderBy, string? ViewType);

public sealed record MlflowSearchExperimentsResponse(IReadOnlyList<MlflowExperiment> Experiments, string? NextPageToken);

public sealed record MlflowCreateRunRequest(string? ExperimentId, string? UserId, long? StartTime, string? RunName, IReadOnlyList<MlflowKeyValue>? Tags);

public sealed record MlflowRunResponse(MlflowRun Run);

public sealed record MlflowRunIdRequest(string? RunId, string? RunUuid);

public sealed record MlflowUpdateRunRequest(string? RunId, string? RunUuid, string? Status, long? EndTime, string? RunName);

public sealed record MlflowUpdateRunResponse(MlflowRunInfo RunInfo);

public sealed record MlflowLogMetricRequest(string? RunId, string? RunUuid, string? Key, double? Value, long? Timestamp, long? Step);

public sealed record MlflowLogParamRequest(string? RunId, string? RunUuid, string? Key, string? Value);

public sealed record MlflowSetTagRequest(string? RunId, string? RunUuid, string? Key, string? Value);

public sealed record MlflowDeleteTagRequest(string? RunId, string? Key);

public sealed record MlflowLogBatchRequest(string? RunId, IReadOnlyList<MlflowMetric>? Metrics, IReadOnlyList<MlflowKeyValue>? Params,
    IReadOnlyList<MlflowKeyValue>? Tags);

public sealed record MlflowSearchRunsRequest(IReadOnlyList<string>? ExperimentIds, string? Filter, string? RunViewType, long? MaxResults,
    IReadOnlyList<string>? OrderBy, string? PageToken);

public sealed record MlflowSearchRunsResponse(IReadOnlyList<MlflowRun> Runs, string? NextPageToken);

public sealed record MlflowMetricHistoryRequest(string? RunId, string? RunUuid, string? MetricKey, long? MaxResults, string? PageToken);

public sealed record MlflowMetricHistoryResponse(IReadOnlyList<MlflowMetric> Metrics, string? NextPageToken);

public sealed record MlflowListArtifactsRequest(string? RunId, string? RunUuid, string? Path, string? PageToken);

/// <summary>One entry of an artifact listing: path (relative to the folder listed, or to the run's root), folder or file, a file's size.</summary>
public sealed record MlflowFileInfo(string Path, bool IsDir, long? FileSize);

public sealed record MlflowListArtifactsResponse(string? RootUri, IReadOnlyList<MlflowFileInfo> Files);
