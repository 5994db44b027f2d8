using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

public sealed partial class TrackingStore
{
    private const string RunIndexPartition = "r";
    private const string RunKind = "run";
    private const int MaxTransactionActions = 100;
    private const int MaxSearchedExperiments = 100;

    /// <summary>Creates a run in an active experiment ("0" when none is named), RUNNING, with its tags; its name kept in step with <c>mlflow.runName</c>.</summary>
    public async Task<TrackedRun> CreateRunAsync(string? experimentId, string? userId, long? startTime, string? runName,
        IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken)
    {
        var experiment = await GetExperimentAsync(string.IsNullOrEmpty(experimentId) ? DefaultExperimentId : experimentId, cancellationToken).ConfigureAwait(false);
        RequireActive(experiment);
        var tagMap = RunTags(tags);
        runName = TrackingLimits.Value(runName, TrackingLimits.MaxTagValueLength, "run_name");
        if (tagMap.TryGetValue(Lifecycle.RunNameTag, out var tagged) && !string.IsNullOrEmpty(runName) && tagged != runName)
        {
            throw ServingException.BadRequest($"Both 'run_name' and the '{Lifecycle.RunNameTag}' tag are given, with different values.");
        }

        runName = !string.IsNullOrEmpty(runName) ? runName : tagged is { Length: > 0 } ? tagged : RunNames.Generate();
        tagMap[Lifecycle.RunNameTag] = runName;
        var runId = Guid.NewGuid().ToString("N");
        var info = new TrackedRunInfo(runId, experiment.ExperimentId, runName, userId ?? string.Empty, Lifecycle.Running, startTime ?? Now, null,
            $"{experiment.ArtifactLocation.TrimEnd('/')}/{runId}/artifacts", Lifecycle.Active);
        await _runs.UpsertEntityAsync(new TableEntity(RunIndexPartition, runId) { ["ExperimentId"] = experiment.ExperimentId }, TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
        List<TableTransactionAction> actions = [new(TableTransactionActionType.Add, ToEntity(info))];
        actions.AddRange(tagMap.Select(t => new TableTransactionAction(TableTransactionActionType.UpsertReplace, DataEntity(info, 't', t.Key, t.Value))));
        await SubmitAsync(actions, cancellationToken).ConfigureAwait(false);
        _runExperiments[runId] = experiment.ExperimentId;
        return new TrackedRun(info, [], new Dictionary<string, string>(), tagMap);
    }

    public async Task<TrackedRun> GetRunAsync(string? runId, CancellationToken cancellationToken) =>
        await FindSweepRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? (await LoadRunAsync(runId, cancellationToken).ConfigureAwait(false)).Run;

    /// <summary>Updates an active run's status, end time and name; answers its info as updated.</summary>
    public async Task<TrackedRunInfo> UpdateRunAsync(string? runId, RunUpdate update, CancellationToken cancellationToken)
    {
        if (update.Status is not null && !Lifecycle.Statuses.Contains(update.Status, StringComparer.Ordinal))
        {
            throw ServingException.BadRequest($"Invalid value {DataText.Quote(update.Status)} for parameter 'status': use one of {string.Join(", ", Lifecycle.Statuses)}.");
        }

        var (run, _) = await LoadRunAsync(runId, cancellationToken).ConfigureAwait(false);
        RequireActive(run.Info);
        var runName = string.IsNullOrEmpty(update.RunName) ? run.Info.RunName : TrackingLimits.Value(update.RunName, TrackingLimits.MaxTagValueLength, "run_name");
        var info = run.Info with { Status = update.Status ?? run.Info.Status, EndTime = update.EndTime ?? run.Info.EndTime, RunName = runName };
        List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateMerge, ToEntity(info), ETag.All)];
        if (runName != run.Info.RunName)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, DataEntity(info, 't', Lifecycle.RunNameTag, runName)));
        }

        await SubmitAsync(actions, cancellationToken).ConfigureAwait(false);
        return info;
    }

    public Task DeleteRunAsync(string? runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, Lifecycle.Deleted, cancellationToken);

    public Task RestoreRunAsync(string? runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, Lifecycle.Active, cancellationToken);

    public async Task DeleteTagAsync(string? runId, string? key, CancellationToken cancellationToken)
    {
        key = TrackingLimits.Required(key, "key");
        var (run, _) = await LoadRunAsync(runId, cancellationToken).ConfigureAwait(false);
        RequireActive(run.Info);
        if (!run.Tags.ContainsKey(key))
        {
            throw ServingException.NotFound($"No tag with name: {DataText.Quote(key)} in run with id {run.Info.RunId}");
        }

        await _runs.DeleteEntityAsync(run.Info.ExperimentId, DataRow(run.Info.RunId, 't', key), ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs of the experiments matching the filter, in the view, ordered (default start_time DESC, then run id), one page. Each
    /// experiment is one partition query; at most <see cref="MaxSearchedExperiments"/> experiments per search.
    /// </summary>
    public async Task<SearchPage<TrackedRun>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults,
        IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var parsed = SearchFilter.Parse(filter, SearchTarget.Runs);
        var offset = TrackingLimits.Offset(pageToken);
        if (experimentIds.Count > MaxSearchedExperiments)
        {
            throw ServingException.BadRequest($"'experiment_ids' may name at most {MaxSearchedExperiments} experiments (was {experimentIds.Count}).");
        }

        var ids = experimentIds.Select(id => TrackingLimits.ExperimentId(id, "experiment_ids")).Distinct(StringComparer.Ordinal).ToList();
        await _created.Value.ConfigureAwait(false);
        var found = new List<TrackedRun>();
        foreach (var id in ids)
        {
            if (_sweeps is not null && id == SweepRuns.ExperimentId)
            {
                var sweepRuns = InView(Lifecycle.Active, viewType) ? await _sweeps.ListRunsAsync(cancellationToken).ConfigureAwait(false) : [];
                found.AddRange(sweepRuns.Where(r => parsed.Matches(k => Lookup(r, k))));
                continue;
            }

            var entities = new List<TableEntity>();
            await foreach (var entity in _runs.QueryAsync<TableEntity>(e => e.PartitionKey == id, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                entities.Add(entity);
            }

            found.AddRange(GroupRuns(entities).Where(r => InView(r.Info.LifecycleStage, viewType) && parsed.Matches(k => Lookup(r, k))));
        }

        var sorted = SearchOrder.Sort(found, orderBy, SearchTarget.Runs, Lookup,
            [(new SearchKey(SearchField.Attribute, "start_time"), false), (new SearchKey(SearchField.Attribute, "run_id"), true)]);
        return new SearchPage<TrackedRun>(sorted.Skip(offset).Take(maxResults).ToList(), TrackingLimits.NextToken(offset + maxResults, sorted.Count));
    }

    private async Task SetRunStageAsync(string? runId, string stage, CancellationToken cancellationToken)
    {
        var (run, _) = await LoadRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (stage == Lifecycle.Active)
        {
            var experiment = await GetExperimentAsync(run.Info.ExperimentId, cancellationToken).ConfigureAwait(false);
            RequireActive(experiment);
        }

        await _runs.UpdateEntityAsync(new TableEntity(run.Info.ExperimentId, run.Info.RunId) { ["LifecycleStage"] = stage }, ETag.All, TableUpdateMode.Merge,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task SetRunsStageAsync(string experimentId, string stage, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>();
        var query = _runs.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {experimentId} and Kind eq {RunKind}"),
            select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken);
        await foreach (var entity in query.ConfigureAwait(false))
        {
            actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(experimentId, entity.RowKey) { ["LifecycleStage"] = stage }, ETag.All));
        }

        await SubmitAsync(actions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sweep's or trial's run with this id, or null when the id is not a sweep run's (NotFound when it has that shape but none exists).</summary>
    private async Task<TrackedRun?> FindSweepRunAsync(string? runId, CancellationToken cancellationToken)
    {
        runId = TrackingLimits.RunId(runId);
        if (_sweeps is null || !SweepRuns.Owns(runId))
        {
            return null;
        }

        await _created.Value.ConfigureAwait(false);
        return await _sweeps.FindRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw RunNotFound(runId);
    }

    /// <summary>
    /// The run with its data and the entities it was read from (their ETags guard conditional writes). Only runs stored here: a sweep's
    /// run is refused as read-only (every caller writes).
    /// </summary>
    private async Task<(TrackedRun Run, IReadOnlyList<TableEntity> Entities)> LoadRunAsync(string? runId, CancellationToken cancellationToken)
    {
        if (await FindSweepRunAsync(runId, cancellationToken).ConfigureAwait(false) is { } sweepRun)
        {
            throw SweepRuns.ReadOnly($"Run {sweepRun.Info.RunId}");
        }

        runId = TrackingLimits.RunId(runId);
        await _created.Value.ConfigureAwait(false);
        if (!_runExperiments.TryGetValue(runId, out var experimentId))
        {
            var index = await FindAsync(_runs, RunIndexPartition, runId, cancellationToken).ConfigureAwait(false);
            experimentId = index?.GetString("ExperimentId") ?? throw RunNotFound(runId);
            if (_runExperiments.Count >= MaxCachedRuns)
            {
                _runExperiments.Clear();
            }

            _runExperiments[runId] = experimentId;
        }

        var entities = new List<TableEntity>();
        var query = _runs.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {experimentId} and RowKey ge {runId} and RowKey lt {runId + "}"}"), cancellationToken: cancellationToken);
        await foreach (var entity in query.ConfigureAwait(false))
        {
            entities.Add(entity);
        }

        var run = GroupRuns(entities).FirstOrDefault() ?? throw RunNotFound(runId);
        return (run, entities);
    }

    private static ServingException RunNotFound(string runId) => ServingException.NotFound($"Run with id={runId} not found");

    private static void RequireActive(TrackedRunInfo run)
    {
        if (run.LifecycleStage != Lifecycle.Active)
        {
            throw ServingException.BadRequest($"The run {run.RunId} must be in the 'active' state. Current state is {run.LifecycleStage}.");
        }
    }

    private async Task SubmitAsync(List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        foreach (var chunk in actions.Chunk(MaxTransactionActions))
        {
            await _runs.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, string> RunTags(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count > TrackingLimits.MaxEntitiesPerBatch)
        {
            throw ServingException.BadRequest($"A request may set at most {TrackingLimits.MaxEntitiesPerBatch} tags (was {tags.Count}).");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            map[TrackingLimits.Key(key, "tags.key")] = TrackingLimits.Value(value, TrackingLimits.MaxTagValueLength, "tags.value");
        }

        return map;
    }

    private static object? Lookup(TrackedRun run, SearchKey key) => key.Field switch
    {
        SearchField.Metric => run.Metrics.FirstOrDefault(m => m.Key == key.Key) is { Key: not null } m ? m.Value : null,
        SearchField.Param => run.Params.GetValueOrDefault(key.Key),
        SearchField.Tag => run.Tags.GetValueOrDefault(key.Key),
        _ => key.Key switch
        {
            "run_id" => run.Info.RunId,
            "run_name" => run.Info.RunName,
            "status" => run.Info.Status,
            "user_id" => run.Info.UserId,
            "artifact_uri" => run.Info.ArtifactUri,
            "start_time" => (double)run.Info.StartTime,
            _ => run.Info.EndTime is { } end ? (double)end : null,
        },
    };

    private static IEnumerable<TrackedRun> GroupRuns(IEnumerable<TableEntity> entities)
    {
        TrackedRunInfo? info = null;
        List<LoggedMetric> metrics = [];
        Dictionary<string, string> parameters = new(StringComparer.Ordinal), tags = new(StringComparer.Ordinal);
        foreach (var entity in entities.OrderBy(e => e.RowKey, StringComparer.Ordinal))
        {
            if (entity.GetString("Kind") == RunKind)
            {
                if (info is not null)
                {
                    yield return new TrackedRun(info, metrics, parameters, tags);
                }

                info = ToInfo(entity);
                (metrics, parameters, tags) = ([], new(StringComparer.Ordinal), new(StringComparer.Ordinal));
                continue;
            }

            if (info is null || !entity.RowKey.StartsWith(info.RunId + "|", StringComparison.Ordinal))
            {
                continue;
            }

            var key = entity.GetString("Key") ?? string.Empty;
            var value = entity.GetString("Value") ?? string.Empty;
            switch (entity.RowKey[info.RunId.Length + 1])
            {
                case 'p':
                    parameters[key] = value;
                    break;
                case 't':
                    tags[key] = value;
                    break;
                case 'm':
                    metrics.Add(new LoggedMetric(key, ParseDouble(value), entity.GetInt64("Time") ?? 0, entity.GetInt64("Step") ?? 0));
                    break;
            }
        }

        if (info is not null)
        {
            yield return new TrackedRun(info, metrics, parameters, tags);
        }
    }

    private static TableEntity ToEntity(TrackedRunInfo info) => new(info.ExperimentId, info.RunId)
    {
        ["Kind"] = RunKind,
        ["RunName"] = info.RunName,
        ["UserId"] = info.UserId,
        ["Status"] = info.Status,
        ["StartTime"] = info.StartTime,
        ["EndTime"] = info.EndTime,
        ["ArtifactUri"] = info.ArtifactUri,
        ["LifecycleStage"] = info.LifecycleStage,
    };

    private static TrackedRunInfo ToInfo(TableEntity entity) => new(
        entity.RowKey,
        entity.PartitionKey,
        entity.GetString("RunName") ?? string.Empty,
        entity.GetString("UserId") ?? string.Empty,
        entity.GetString("Status") ?? Lifecycle.Running,
        entity.GetInt64("StartTime") ?? 0,
        entity.GetInt64("EndTime"),
        entity.GetString("ArtifactUri") ?? string.Empty,
        entity.GetString("LifecycleStage") ?? Lifecycle.Active);

    private static string DataRow(string runId, char kind, string key) => $"{runId}|{kind}|{TrackingLimits.RowKeyPart(key)}";

    private static TableEntity DataEntity(TrackedRunInfo run, char kind, string key, string value) =>
        new(run.ExperimentId, DataRow(run.RunId, kind, key)) { ["Key"] = key, ["Value"] = value };

    private static string FormatDouble(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double ParseDouble(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
