using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

public sealed partial class TrackingStore
{
    /// <summary>
    /// Logs metrics, params and tags to an active run, after checking MLflow's batch limits and every key and value (nothing is
    /// written when one fails). Every metric value is kept (the same key, value, timestamp and step twice is one value); the latest
    /// (greatest step, then timestamp, then value) is kept beside the run. A param already logged with another value is refused
    /// (INVALID_PARAMETER_VALUE); the same value again is accepted. A tag's last value in the request wins. A concurrent write is
    /// retried from a fresh read.
    /// </summary>
    public async Task LogBatchAsync(string? runId, RunBatch batch, CancellationToken cancellationToken)
    {
        CheckBatch(batch);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in batch.Params)
        {
            if (parameters.TryGetValue(key, out var earlier) && earlier != value)
            {
                throw ServingException.BadRequest($"Duplicate parameter keys have been submitted with different values: {DataText.Quote(key)}.");
            }

            parameters[key] = value;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in batch.Tags)
        {
            tags[key] = value;
        }

        for (var attempt = 0; ; attempt++)
        {
            var (run, entities) = await LoadRunAsync(runId, cancellationToken).ConfigureAwait(false);
            RequireActive(run.Info);
            var changed = parameters.Where(p => run.Params.TryGetValue(p.Key, out var old) && old != p.Value).Select(p => p.Key).ToList();
            if (changed.Count > 0)
            {
                var key = changed[0];
                throw ServingException.BadRequest(
                    $"Changing param values is not allowed. Param with key={DataText.Quote(key)} was already logged with value={DataText.Quote(run.Params[key])} " +
                    $"for run ID={DataText.Quote(run.Info.RunId)}. Attempted logging new value {DataText.Quote(parameters[key])}.");
            }

            await WriteHistoryAsync(run.Info.RunId, batch.Metrics, cancellationToken).ConfigureAwait(false);
            var actions = new List<TableTransactionAction>();
            actions.AddRange(parameters.Where(p => !run.Params.ContainsKey(p.Key))
                .Select(p => new TableTransactionAction(TableTransactionActionType.Add, DataEntity(run.Info, 'p', p.Key, p.Value))));
            actions.AddRange(tags.Select(t => new TableTransactionAction(TableTransactionActionType.UpsertReplace, DataEntity(run.Info, 't', t.Key, t.Value))));
            if (tags.TryGetValue(Lifecycle.RunNameTag, out var runName) && runName != run.Info.RunName)
            {
                actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(run.Info.ExperimentId, run.Info.RunId) { ["RunName"] = runName }, ETag.All));
            }

            foreach (var latest in batch.Metrics.GroupBy(m => m.Key, StringComparer.Ordinal).Select(g => g.Aggregate((a, b) => b.IsLaterThan(a) ? b : a)))
            {
                var row = DataRow(run.Info.RunId, 'm', latest.Key);
                var stored = entities.FirstOrDefault(e => e.RowKey == row);
                var current = run.Metrics.FirstOrDefault(m => m.Key == latest.Key);
                if (stored is not null && !latest.IsLaterThan(current))
                {
                    continue;
                }

                var entity = DataEntity(run.Info, 'm', latest.Key, FormatDouble(latest.Value));
                entity["Time"] = latest.Timestamp;
                entity["Step"] = latest.Step;
                actions.Add(stored is null
                    ? new(TableTransactionActionType.Add, entity)
                    : new(TableTransactionActionType.UpdateReplace, entity, stored.ETag));
            }

            try
            {
                await SubmitAsync(actions, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // A concurrent log of the same param or metric landed first; read again (history rows are idempotent).
            }
        }
    }

    /// <summary>Every value of a run's metric, by step then timestamp, one page (offset tokens, as MLflow's stores page).</summary>
    public async Task<SearchPage<LoggedMetric>> GetMetricHistoryAsync(string? runId, string? key, int maxResults, string? pageToken,
        CancellationToken cancellationToken)
    {
        key = TrackingLimits.Required(key, "metric_key");
        var offset = TrackingLimits.Offset(pageToken);
        if (await FindSweepRunAsync(runId, cancellationToken).ConfigureAwait(false) is { } sweepRun)
        {
            // A sweep's metrics have one value each (the trial's validation score).
            var matching = sweepRun.Metrics.Where(m => m.Key == key).ToList();
            return new SearchPage<LoggedMetric>(matching.Skip(offset).Take(maxResults).ToList(), TrackingLimits.NextToken(offset + maxResults, matching.Count));
        }

        var (run, _) = await LoadRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var partition = HistoryPartition(run.Info.RunId, key);
        var values = new List<LoggedMetric>();
        var skipped = 0;
        var more = false;
        await foreach (var entity in _metrics.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (skipped++ < offset)
            {
                continue;
            }

            if (values.Count == maxResults)
            {
                more = true;
                break;
            }

            values.Add(new LoggedMetric(key, ParseDouble(entity.GetString("Value") ?? "0"), entity.GetInt64("Time") ?? 0, entity.GetInt64("Step") ?? 0));
        }

        return new SearchPage<LoggedMetric>(values, more ? TrackingLimits.NextToken(offset + maxResults, int.MaxValue) : null);
    }

    private async Task WriteHistoryAsync(string runId, IReadOnlyList<LoggedMetric> metrics, CancellationToken cancellationToken)
    {
        foreach (var group in metrics.GroupBy(m => m.Key, StringComparer.Ordinal))
        {
            var partition = HistoryPartition(runId, group.Key);
            var rows = group
                .Select(m => new TableEntity(partition, $"{TrackingLimits.Sortable(m.Step)}|{TrackingLimits.Sortable(m.Timestamp)}|{BitConverter.DoubleToInt64Bits(m.Value):X16}")
                {
                    ["Value"] = FormatDouble(m.Value),
                    ["Time"] = m.Timestamp,
                    ["Step"] = m.Step,
                })
                .DistinctBy(e => e.RowKey, StringComparer.Ordinal)
                .Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e));
            foreach (var chunk in rows.Chunk(MaxTransactionActions))
            {
                await _metrics.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void CheckBatch(RunBatch batch)
    {
        if (batch.Metrics.Count > TrackingLimits.MaxMetricsPerBatch)
        {
            throw TooMany(TrackingLimits.MaxMetricsPerBatch, batch.Metrics.Count, "metrics");
        }

        if (batch.Params.Count > TrackingLimits.MaxParamsTagsPerBatch)
        {
            throw TooMany(TrackingLimits.MaxParamsTagsPerBatch, batch.Params.Count, "params");
        }

        if (batch.Tags.Count > TrackingLimits.MaxParamsTagsPerBatch)
        {
            throw TooMany(TrackingLimits.MaxParamsTagsPerBatch, batch.Tags.Count, "tags");
        }

        var total = batch.Metrics.Count + batch.Params.Count + batch.Tags.Count;
        if (total > TrackingLimits.MaxEntitiesPerBatch)
        {
            throw ServingException.BadRequest(
                $"A batch logging request can contain at most {TrackingLimits.MaxEntitiesPerBatch} metrics, params and tags in total. Got {total}. " +
                "Please split up across multiple requests and try again.");
        }

        foreach (var metric in batch.Metrics)
        {
            TrackingLimits.Key(metric.Key, "metrics.key");
        }

        foreach (var (key, value) in batch.Params)
        {
            TrackingLimits.Key(key, "params.key");
            TrackingLimits.Value(value, TrackingLimits.MaxParamValueLength, "params.value");
        }

        foreach (var (key, value) in batch.Tags)
        {
            TrackingLimits.Key(key, "tags.key");
            TrackingLimits.Value(value, TrackingLimits.MaxTagValueLength, "tags.value");
        }
    }

    private static ServingException TooMany(int max, int count, string what) => ServingException.BadRequest(
        $"A batch logging request can contain at most {max} {what}. Got {count} {what}. Please split up {what} across multiple requests and try again.");

    private static string HistoryPartition(string runId, string key) => $"{runId}|{TrackingLimits.RowKeyPart(key)}";
}
