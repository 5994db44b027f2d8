using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Retraining;

/// <summary>
/// Retraining policies and runs on Table storage, one partition per model: the policy (row <c>policy</c>), each run
/// (<c>run_{id}</c>, its lineage as JSON) and the start gate (<c>gate</c>: the last start). Every write is conditional:
/// a policy on the ETag the caller read (If-Match, PreconditionFailed when it changed) or, without one, on the ETag this
/// call read (Conflict when a concurrent write landed first); a run's start is one transaction of the gate, conditional on
/// its ETag, and the new run's insert, so two starts that both passed the guardrails cannot both land; a run's later writes
/// are conditional on the ETag of its previous one (a retried write that had landed is recognised by its revision).
/// Thread-safe.
/// </summary>
public sealed class RetrainingStore
{
    public const string PolicyRow = "policy";
    public const string GateRow = "gate";
    private const string RunPrefix = "run_";

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly TableClient _table;
    private readonly Lazy<Task> _created;

    public RetrainingStore(TableServiceClient tables, string tableName = AppStorageNames.RetrainingTable)
    {
        _table = tables.GetTableClient(tableName);
        _created = new Lazy<Task>(() => _table.CreateIfNotExistsAsync());
    }

    public async Task<RetrainingPolicy?> GetPolicyAsync(string model, CancellationToken cancellationToken)
    {
        var entity = await GetAsync(model, PolicyRow, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToPolicy(entity);
    }

    /// <summary>Every model's policy (for the scheduled trigger).</summary>
    public async Task<IReadOnlyList<(string Model, RetrainingPolicy Policy)>> ListPoliciesAsync(CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var found = new List<(string, RetrainingPolicy)>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.RowKey == PolicyRow, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add((entity.PartitionKey, ToPolicy(entity)));
        }

        return found;
    }

    /// <summary>Stores the policy; returns it as stored and whether it was created. Conditional as the class says.</summary>
    public async Task<(RetrainingPolicy Policy, bool Created)> SavePolicyAsync(string model, RetrainingPolicy policy, string? ifMatch, CancellationToken cancellationToken)
    {
        var existing = await GetAsync(model, PolicyRow, cancellationToken).ConfigureAwait(false);
        if (ifMatch is not null && ifMatch != "*" && (existing is null || new ETag(ifMatch) != existing.ETag))
        {
            throw ServingException.PreconditionFailed(existing is null
                ? $"Model '{model}' has no retraining policy, so If-Match {DataText.Quote(ifMatch)} cannot hold."
                : $"The retraining policy of model '{model}' does not match If-Match {DataText.Quote(ifMatch)} (ETag {existing.ETag}).");
        }

        var entity = new TableEntity(model, PolicyRow) { ["Json"] = JsonSerializer.Serialize(policy with { ETag = "", UpdatedUtc = null }, Json) };
        try
        {
            var response = existing is null
                ? await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                : await _table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            var stored = await GetAsync(model, PolicyRow, cancellationToken).ConfigureAwait(false);
            return (ToPolicy(stored!), existing is null);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            throw ifMatch is null
                ? ServingException.Conflict($"The retraining policy of model '{model}' changed while this request stored it; read it again and retry.")
                : ServingException.PreconditionFailed($"The retraining policy of model '{model}' changed; it no longer matches If-Match {DataText.Quote(ifMatch)}.");
        }
    }

    /// <summary>The gate's ETag and the last start it records (null: never started).</summary>
    public async Task<(string? ETag, DateTimeOffset? LastStartUtc)> GetGateAsync(string model, CancellationToken cancellationToken)
    {
        var gate = await GetAsync(model, GateRow, cancellationToken).ConfigureAwait(false);
        return (gate?.ETag.ToString(), gate?.GetDateTimeOffset("LastStartUtc"));
    }

    /// <summary>
    /// Inserts a new run and moves the gate to its start in one transaction, conditional on <paramref name="gateETag"/>
    /// (null: the gate must not exist yet); Conflict when another start landed first.
    /// </summary>
    public async Task<RetrainingRun> CreateRunAsync(RetrainingRun run, string? gateETag, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var gate = new TableEntity(run.Model, GateRow) { ["LastStartUtc"] = run.CreatedUtc, ["LastRunId"] = run.RunId };
        var stored = run with { Revision = 1, ETag = "" };
        TableTransactionAction[] actions =
        [
            gateETag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, gate)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, gate, new ETag(gateETag)),
            new TableTransactionAction(TableTransactionActionType.Add, ToEntity(stored)),
        ];
        try
        {
            var response = await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return stored with { ETag = response.Value[1].Headers.ETag?.ToString() ?? "" };
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
        {
            throw ServingException.Conflict($"Another retraining run of model '{run.Model}' started at the same time; this one was not started.");
        }
    }

    /// <summary>Stores the run's next revision, conditional on <see cref="RetrainingRun.ETag"/>; returns it with its new ETag.</summary>
    public async Task<RetrainingRun> SaveRunAsync(RetrainingRun run, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var next = run with { Revision = run.Revision + 1 };
        try
        {
            var response = await _table.UpdateEntityAsync(ToEntity(next), new ETag(run.ETag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return next with { ETag = response.Headers.ETag?.ToString() ?? "" };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            var current = await GetRunAsync(run.Model, run.RunId, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.Revision >= next.Revision)
            {
                return current; // A retry of a write that had landed.
            }

            throw ServingException.Conflict($"Retraining run '{run.RunId}' of model '{run.Model}' was changed by someone else; not overwritten.");
        }
    }

    public async Task<RetrainingRun?> GetRunAsync(string model, string runId, CancellationToken cancellationToken)
    {
        var entity = await GetAsync(model, RunPrefix + runId, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToRun(entity);
    }

    /// <summary>The model's runs, newest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<RetrainingRun>> ListRunsAsync(string model, int limit, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {model} and RowKey ge {RunPrefix} and RowKey lt {"run`"}");
        var runs = new List<RetrainingRun>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            runs.Add(ToRun(entity));
        }

        return runs.OrderByDescending(r => r.CreatedUtc).ThenByDescending(r => r.RunId, StringComparer.Ordinal).Take(limit).ToList();
    }

    private async Task<TableEntity?> GetAsync(string model, string row, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(model, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    private static TableEntity ToEntity(RetrainingRun run) => new(run.Model, RunPrefix + run.RunId)
    {
        ["Json"] = JsonSerializer.Serialize(run with { ETag = "" }, Json),
        ["Status"] = run.Status,
        ["CreatedUtc"] = run.CreatedUtc,
    };

    private static RetrainingRun ToRun(TableEntity entity) =>
        JsonSerializer.Deserialize<RetrainingRun>(entity.GetString("Json")!, Json)! with { ETag = entity.ETag.ToString() };

    private static RetrainingPolicy ToPolicy(TableEntity entity) =>
        JsonSerializer.Deserialize<RetrainingPolicy>(entity.GetString("Json")!, Json)! with { ETag = entity.ETag.ToString(), UpdatedUtc = entity.Timestamp };
}
