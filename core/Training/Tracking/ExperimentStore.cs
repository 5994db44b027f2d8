using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

/// <summary>
/// Experiment tracking on Table storage: one entity per sweep (partition "sweep", row key the sweep id) and one
/// per trial (partition the sweep id, row key the trial id), so a sweep's trials are one partition query.
/// Writes are upserts (replace), safe to repeat when an activity is retried. Thread-safe.
/// </summary>
public sealed class ExperimentStore
{
    private const string SweepPartition = "sweep";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TableClient _sweeps;
    private readonly TableClient _trials;
    private readonly Lazy<Task> _created;

    public ExperimentStore(TableServiceClient tables, string sweepsTable = AppStorageNames.SweepsTable, string trialsTable = AppStorageNames.TrialsTable)
    {
        _sweeps = tables.GetTableClient(sweepsTable);
        _trials = tables.GetTableClient(trialsTable);
        _created = new Lazy<Task>(() => Task.WhenAll(_sweeps.CreateIfNotExistsAsync(), _trials.CreateIfNotExistsAsync()));
    }

    /// <summary>Creates the tables when absent (every other call does so first), so a caller can do it before it only reads.</summary>
    public Task EnsureCreatedAsync() => _created.Value;

    public async Task SaveSweepAsync(SweepRecord sweep, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var entity = new TableEntity(SweepPartition, sweep.SweepId)
        {
            ["Status"] = sweep.Status,
            ["ModelName"] = sweep.ModelName,
            ["Dataset"] = sweep.Dataset,
            ["Target"] = sweep.Target,
            ["Task"] = sweep.Task,
            ["Metric"] = sweep.Metric,
            ["RequestJson"] = sweep.RequestJson,
            ["DataFingerprint"] = sweep.DataFingerprint,
            ["TrainRows"] = sweep.TrainRows,
            ["ValidationRows"] = sweep.ValidationRows,
            ["TrialsTotal"] = sweep.TrialsTotal,
            ["TrialsSucceeded"] = sweep.TrialsSucceeded,
            ["TrialsFailed"] = sweep.TrialsFailed,
            ["BestTrialId"] = sweep.BestTrialId,
            ["BestValue"] = sweep.BestValue,
            ["RegisteredVersion"] = sweep.RegisteredVersion,
            ["Promoted"] = sweep.Promoted,
            ["PromotionReason"] = sweep.PromotionReason,
            ["Error"] = sweep.Error,
            ["CreatedUtc"] = sweep.CreatedUtc,
            ["CompletedUtc"] = sweep.CompletedUtc,
        };
        await _sweeps.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveTrialAsync(TrialRecord trial, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var entity = new TableEntity(trial.SweepId, trial.TrialId)
        {
            ["Algorithm"] = trial.Algorithm,
            ["Hyperparameters"] = trial.HyperparametersJson,
            ["Status"] = trial.Status,
            ["Metrics"] = JsonSerializer.Serialize(trial.Metrics, Json),
            ["Error"] = Truncate(trial.Error),
            ["Runner"] = trial.Runner,
            ["ExecutionId"] = trial.ExecutionId,
            ["OutputUri"] = trial.OutputUri,
            ["TrainSeconds"] = trial.TrainSeconds,
            ["StartedUtc"] = trial.StartedUtc,
            ["EndedUtc"] = trial.EndedUtc,
            ["WarmStart"] = trial.WarmStart,
            ["WarmStartNote"] = Truncate(trial.WarmStartNote),
        };
        await _trials.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SweepRecord?> GetSweepAsync(string sweepId, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        try
        {
            return ToSweep((await _sweeps.GetEntityAsync<TableEntity>(SweepPartition, sweepId, cancellationToken: cancellationToken).ConfigureAwait(false)).Value);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Sweeps, newest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<SweepRecord>> ListSweepsAsync(int limit, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var sweeps = new List<SweepRecord>();
        await foreach (var entity in _sweeps.QueryAsync<TableEntity>(e => e.PartitionKey == SweepPartition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            sweeps.Add(ToSweep(entity));
        }

        return sweeps.OrderByDescending(s => s.CreatedUtc).Take(limit).ToList();
    }

    /// <summary>Sweeps whose record says they are starting or running (the Durable runtime has the last word on whether they still are).</summary>
    public async Task<IReadOnlyList<SweepRecord>> ListActiveSweepsAsync(CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var sweeps = new List<SweepRecord>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {SweepPartition} and (Status eq {SweepRecord.Starting} or Status eq {SweepRecord.Running})");
        await foreach (var entity in _sweeps.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            sweeps.Add(ToSweep(entity));
        }

        return sweeps;
    }

    /// <summary>Removes a sweep's record (a start that was refused or could not be scheduled); nothing when absent.</summary>
    public async Task DeleteSweepAsync(string sweepId, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        await _sweeps.DeleteEntityAsync(SweepPartition, sweepId, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TrialRecord>> ListTrialsAsync(string sweepId, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var trials = new List<TrialRecord>();
        await foreach (var entity in _trials.QueryAsync<TableEntity>(e => e.PartitionKey == sweepId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            trials.Add(new TrialRecord
            {
                SweepId = sweepId,
                TrialId = entity.RowKey,
                Algorithm = entity.GetString("Algorithm") ?? string.Empty,
                HyperparametersJson = entity.GetString("Hyperparameters") ?? "{}",
                Status = entity.GetString("Status") ?? string.Empty,
                Metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(entity.GetString("Metrics") ?? "{}", Json) ?? [],
                Error = entity.GetString("Error"),
                Runner = entity.GetString("Runner"),
                ExecutionId = entity.GetString("ExecutionId"),
                OutputUri = entity.GetString("OutputUri"),
                TrainSeconds = entity.GetDouble("TrainSeconds"),
                StartedUtc = entity.GetDateTimeOffset("StartedUtc"),
                EndedUtc = entity.GetDateTimeOffset("EndedUtc"),
                WarmStart = entity.GetBoolean("WarmStart"),
                WarmStartNote = entity.GetString("WarmStartNote"),
            });
        }

        return trials.OrderBy(t => t.TrialId, StringComparer.Ordinal).ToList();
    }

    private static SweepRecord ToSweep(TableEntity entity) => new()
    {
        SweepId = entity.RowKey,
        Status = entity.GetString("Status") ?? string.Empty,
        ModelName = entity.GetString("ModelName") ?? string.Empty,
        Dataset = entity.GetString("Dataset") ?? string.Empty,
        Target = entity.GetString("Target") ?? string.Empty,
        Task = entity.GetString("Task") ?? string.Empty,
        Metric = entity.GetString("Metric") ?? string.Empty,
        RequestJson = entity.GetString("RequestJson"),
        DataFingerprint = entity.GetString("DataFingerprint"),
        TrainRows = entity.GetInt64("TrainRows") ?? 0,
        ValidationRows = entity.GetInt64("ValidationRows") ?? 0,
        TrialsTotal = entity.GetInt32("TrialsTotal") ?? 0,
        TrialsSucceeded = entity.GetInt32("TrialsSucceeded") ?? 0,
        TrialsFailed = entity.GetInt32("TrialsFailed") ?? 0,
        BestTrialId = entity.GetString("BestTrialId"),
        BestValue = entity.GetDouble("BestValue"),
        RegisteredVersion = entity.GetString("RegisteredVersion"),
        Promoted = entity.GetBoolean("Promoted") ?? false,
        PromotionReason = entity.GetString("PromotionReason"),
        Error = entity.GetString("Error"),
        CreatedUtc = entity.GetDateTimeOffset("CreatedUtc") ?? DateTimeOffset.MinValue,
        CompletedUtc = entity.GetDateTimeOffset("CompletedUtc"),
    };

    /// <summary>Table properties hold at most 32K UTF-16 characters; keep errors well under.</summary>
    private static string? Truncate(string? text) => text is { Length: > 8_000 } ? text[..8_000] + "..." : text;
}
