using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>Rollouts (<see cref="IAliasRollouts"/>): a row beside each alias, changed with the alias and its history in one transaction.</summary>
public sealed partial class ModelRegistry : IAliasRollouts
{
    public async Task<AliasRollout?> GetRolloutAsync(string name, string alias, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        var entity = await GetEntityAsync(name, RolloutEntities.RowKey(alias), cancellationToken).ConfigureAwait(false);
        return entity is null ? null : RolloutEntities.ToRollout(entity);
    }

    public async Task<(ModelAlias Alias, AliasRollout Rollout)> StartRolloutAsync(string name, string alias, RolloutPlan plan, string? ifMatch, AliasMoveNote note,
        CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        var existing = await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}'; point it at the champion with PUT first.");
        var current = RegistryEntities.ToAlias(existing);
        CheckIfMatch(name, alias, current, ifMatch);
        var previous = await GetRolloutAsync(name, alias, cancellationToken).ConfigureAwait(false);
        if (previous is { IsRunning: true })
        {
            throw RunningConflict(name, alias, previous, "a second rollout was not started");
        }

        if (current.Traffic.IsSplit)
        {
            throw ServingException.Conflict(
                $"Alias '{alias}' of model '{name}' splits traffic ({current.Traffic}); a rollout starts from one version (its champion). Point it at one version with PUT first.");
        }

        if (current.Traffic.Mirror is { } mirror)
        {
            // A step's split would drop the mirror (or hold its version twice); the rollout judges the live version instead.
            throw ServingException.Conflict(
                $"Alias '{alias}' of model '{name}' mirrors version '{mirror.Version}' ({mirror.Percent} %); a rollout starts from an alias without a mirror. PUT the alias without 'mirror' first.");
        }

        if (current.Version == plan.Version)
        {
            throw ServingException.Conflict($"Alias '{alias}' of model '{name}' already points at version '{plan.Version}'; there is nothing to roll out.");
        }

        _ = await GetVersionAsync(name, plan.Version, cancellationToken).ConfigureAwait(false)
            ?? throw await this.VersionNotFoundAsync(name, $"Model '{name}' has no version '{plan.Version}' to roll out.", cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var rollout = new AliasRollout(plan, current.Version, 0, now, now, RolloutState.Running, note.By, note.Reason);
        var traffic = RolloutTraffic.Current(rollout);
        var move = await NextMoveAsync(name, alias, existing, AliasMoveKind.RolloutStart, traffic, note, undoes: null, cancellationToken).ConfigureAwait(false);
        return await CommitRolloutAsync(name, alias, existing, ifMatch, previous, rollout, move, cancellationToken).ConfigureAwait(false);
    }

    public async Task<(ModelAlias Alias, AliasRollout Rollout)> MoveRolloutAsync(string name, string alias, string aliasETag, AliasRollout current, AliasRollout next,
        AliasTraffic traffic, AliasMoveNote note, CancellationToken cancellationToken)
    {
        var existing = await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false);
        if (existing is null || existing.ETag.ToString() != aliasETag)
        {
            throw ServingException.Conflict($"Alias '{alias}' of model '{name}' changed while its rollout was being judged; it is judged again on the next run.");
        }

        var move = await NextMoveAsync(name, alias, existing, AliasMoveKind.RolloutStep, traffic, note, undoes: null, cancellationToken).ConfigureAwait(false);
        return await CommitRolloutAsync(name, alias, existing, null, current, next, move, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AliasRollout> SaveReadingsAsync(string name, string alias, AliasRollout current, RolloutReadings readings, CancellationToken cancellationToken)
    {
        var next = current with { Readings = readings };
        try
        {
            var response = await _table.UpdateEntityAsync(RolloutEntities.ToEntity(name, alias, next), new ETag(current.ETag), TableUpdateMode.Replace, cancellationToken)
                .ConfigureAwait(false);
            return next with { ETag = response.Headers.ETag?.ToString() ?? "" };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            throw ServingException.Conflict($"The rollout of alias '{alias}' of model '{name}' changed while it was being judged; it is judged again on the next run.");
        }
    }

    public async Task<(ModelAlias Alias, AliasRollout Rollout)> AbortRolloutAsync(string name, string alias, string? ifMatch, AliasMoveNote note,
        CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        var existing = await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}'.");
        CheckIfMatch(name, alias, RegistryEntities.ToAlias(existing), ifMatch);
        var rollout = await GetRolloutAsync(name, alias, cancellationToken).ConfigureAwait(false);
        if (rollout is not { IsRunning: true })
        {
            throw ServingException.Conflict(rollout is null
                ? $"Alias '{alias}' of model '{name}' has no rollout to abort."
                : $"The rollout of version '{rollout.Plan.Version}' on alias '{alias}' of model '{name}' is not running (it is {RolloutStates.Name(rollout.State)}); there is nothing to abort.");
        }

        var why = $"rollout of version '{rollout.Plan.Version}' aborted at {rollout.Weight} % by {note.By}" + (note.Reason is null ? "" : $": {note.Reason}");
        var ended = rollout with { State = RolloutState.Aborted, EndedUtc = _clock.GetUtcNow(), EndReason = why };
        var move = await NextMoveAsync(name, alias, existing, AliasMoveKind.RolloutStep, AliasTraffic.Single(rollout.Champion), AliasMoveNote.System(note.By, why),
            undoes: null, cancellationToken).ConfigureAwait(false);
        return await CommitRolloutAsync(name, alias, existing, ifMatch, rollout, ended, move, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<(string Model, string Alias)>> ListRunningRolloutsAsync(CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        // Property names are written out: an interpolated one would be quoted as a value.
        var filter = TableClient.CreateQueryFilter($"Kind eq {RolloutEntities.RolloutKind} and State eq {RolloutStates.Name(RolloutState.Running)}");
        var running = new List<(string, string)>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "Alias"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            running.Add((entity.PartitionKey, entity.GetString("Alias")));
        }

        return running;
    }

    /// <summary>Conflict when the alias has a running rollout: while one runs, only the rollout (or DELETE .../rollout) moves the alias.</summary>
    private async Task EnsureNoRunningRolloutAsync(string name, string alias, string what, CancellationToken cancellationToken)
    {
        if (await GetRolloutAsync(name, alias, cancellationToken).ConfigureAwait(false) is { IsRunning: true } running)
        {
            throw RunningConflict(name, alias, running, what);
        }
    }

    private static ServingException RunningConflict(string name, string alias, AliasRollout running, string what) => ServingException.Conflict(
        $"Alias '{alias}' of model '{name}' has a rollout of version '{running.Plan.Version}' running (step {running.Step + 1} of {running.Plan.Steps.Count}, " +
        $"{running.Weight} %), so {what}. Abort it first with DELETE /api/models/{name}/aliases/{alias}/rollout, or wait for it to end.");

    private static void CheckIfMatch(string name, string alias, ModelAlias current, string? ifMatch)
    {
        if (ifMatch is not null && ifMatch != "*" && ifMatch != current.ETag)
        {
            throw ServingException.PreconditionFailed(
                $"Alias '{alias}' of model '{name}' does not match If-Match {DataText.Quote(ifMatch)}: it points at {current.Traffic} (ETag {current.ETag}).");
        }
    }

    /// <summary>
    /// The alias change (conditional on <paramref name="ifMatch"/> or the ETag read), the rollout row (conditional on
    /// <paramref name="previous"/>'s ETag, or on its absence) and the move's history row, in one transaction.
    /// </summary>
    private async Task<(ModelAlias Alias, AliasRollout Rollout)> CommitRolloutAsync(string name, string alias, TableEntity existing, string? ifMatch,
        AliasRollout? previous, AliasRollout next, AliasMove move, CancellationToken cancellationToken)
    {
        var expected = ifMatch is null || ifMatch == "*" ? existing.ETag : new ETag(ifMatch);
        var rolloutEntity = RolloutEntities.ToEntity(name, alias, next);
        var actions = new[]
        {
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, RegistryEntities.ToEntity(name, alias, move.ToTraffic!, move.AtUtc, move.Sequence), expected),
            previous is null
                ? new TableTransactionAction(TableTransactionActionType.Add, rolloutEntity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, rolloutEntity, new ETag(previous.ETag)),
            new TableTransactionAction(TableTransactionActionType.Add, AliasMoveEntities.ToEntity(name, alias, move)),
        };
        try
        {
            await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            var current = await GetAliasAsync(name, alias, cancellationToken).ConfigureAwait(false);
            var where = current is null ? "deleted" : $"at {current.Traffic} (ETag {current.ETag})";
            throw ifMatch is not null
                ? ServingException.PreconditionFailed($"Alias '{alias}' of model '{name}' or its rollout changed concurrently (If-Match {DataText.Quote(ifMatch)}); the alias is {where}.")
                : ServingException.Conflict($"Alias '{alias}' of model '{name}' or its rollout changed concurrently; the alias is {where}. Re-read it and retry.");
        }

        ModelChanged?.Invoke(name);
        var stored = await GetAliasAsync(name, alias, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.Conflict($"Alias '{alias}' of model '{name}' was deleted concurrently.");
        var rollout = await GetRolloutAsync(name, alias, cancellationToken).ConfigureAwait(false) ?? next;
        return (stored, rollout);
    }
}
