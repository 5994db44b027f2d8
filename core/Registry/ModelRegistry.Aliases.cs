using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>
/// Aliases (one version or a traffic split, with an optional mirror, see <see cref="AliasTraffic"/>) and their history. Every move (set, delete, rollback) is one entity group transaction of two operations in
/// the model's partition: the alias change, conditional on the alias's ETag (or on its absence), and the insert of the
/// move's history row, whose key is the alias's next sequence number. Either both land or neither does, and two
/// concurrent moves of one alias can never both land: the ETag condition, and the key they would both insert, refuse
/// the second. While a rollout of the alias runs (<see cref="IAliasRollouts"/>) these moves are refused (Conflict naming it).
/// </summary>
public sealed partial class ModelRegistry
{
    public Task<ModelAlias> SetAliasAsync(string name, string alias, string version, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateVersion(version);
        return SetAliasAsync(name, alias, AliasTraffic.Single(version), ifMatch, note, cancellationToken);
    }

    public async Task<ModelAlias> SetAliasAsync(string name, string alias, AliasTraffic traffic, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateAlias(alias);
        foreach (var share in traffic.Shares)
        {
            _ = await GetVersionAsync(name, share.Version, cancellationToken).ConfigureAwait(false)
                ?? throw await this.VersionNotFoundAsync(name, $"Model '{name}' has no version '{share.Version}' for alias '{alias}' to point at.", cancellationToken).ConfigureAwait(false);
        }

        if (traffic.Mirror is { } mirror)
        {
            _ = await GetVersionAsync(name, mirror.Version, cancellationToken).ConfigureAwait(false)
                ?? throw await this.VersionNotFoundAsync(name, $"Model '{name}' has no version '{mirror.Version}' for alias '{alias}' to mirror to.", cancellationToken).ConfigureAwait(false);
        }

        var existing = await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false);
        if (existing is null && ifMatch is not null)
        {
            throw ServingException.PreconditionFailed($"Alias '{alias}' of model '{name}' does not exist, so If-Match {DataText.Quote(ifMatch)} cannot hold.");
        }

        if (existing is not null)
        {
            await EnsureNoRunningRolloutAsync(name, alias, "it was not moved", cancellationToken).ConfigureAwait(false);
        }

        var move = await NextMoveAsync(name, alias, existing, AliasMoveKind.Set, traffic, note, undoes: null, cancellationToken).ConfigureAwait(false);
        return await CommitMoveAsync(name, alias, existing, ifMatch, move, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.Conflict($"Alias '{alias}' of model '{name}' was deleted concurrently.");
    }

    public async Task<ModelAlias?> GetAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        var entity = await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false);
        return entity is null ? null : RegistryEntities.ToAlias(entity);
    }

    public async Task<IReadOnlyList<ModelAlias>> ListAliasesAsync(string? name, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        string filter;
        if (name is null)
        {
            filter = TableClient.CreateQueryFilter($"Kind eq {RegistryEntities.AliasKind}");
        }
        else
        {
            ModelIdentifiers.ValidateName(name);
            filter = RegistryEntities.PrefixFilter(name, RegistryEntities.AliasPrefix);
        }

        var aliases = new List<ModelAlias>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            aliases.Add(RegistryEntities.ToAlias(entity));
        }

        return aliases;
    }

    public async Task DeleteAliasAsync(string name, string alias, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        var existing = await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}'.");
        await EnsureNoRunningRolloutAsync(name, alias, "it was not deleted", cancellationToken).ConfigureAwait(false);
        var move = await NextMoveAsync(name, alias, existing, AliasMoveKind.Delete, null, note, undoes: null, cancellationToken).ConfigureAwait(false);
        await CommitMoveAsync(name, alias, existing, ifMatch, move, cancellationToken).ConfigureAwait(false);
    }

    public Task<ModelAlias> RollbackAliasAsync(string name, string alias, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken) =>
        RollbackAliasAsync(name, alias, ifMatch, note, static (_, _) => Task.CompletedTask, cancellationToken);

    public async Task<ModelAlias> RollbackAliasAsync(string name, string alias, string? ifMatch, AliasMoveNote note,
        Func<AliasTraffic, CancellationToken, Task> prepare, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        var existing = await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            throw await NewestSequenceAsync(name, alias, cancellationToken).ConfigureAwait(false) > 0
                ? ServingException.Conflict($"Alias '{alias}' of model '{name}' is deleted, so there is nothing to roll back; point it at a version with PUT.")
                : ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}'.");
        }

        if (ifMatch is not null && ifMatch != "*" && new ETag(ifMatch) != existing.ETag)
        {
            var current = RegistryEntities.ToAlias(existing);
            throw ServingException.PreconditionFailed(
                $"Alias '{alias}' of model '{name}' does not match If-Match {DataText.Quote(ifMatch)}: it points at {current.Traffic} (ETag {current.ETag}).");
        }

        await EnsureNoRunningRolloutAsync(name, alias, "it was not rolled back", cancellationToken).ConfigureAwait(false);
        var versions = (await ListVersionsAsync(name, cancellationToken).ConfigureAwait(false)).Select(v => v.Version).ToHashSet(StringComparer.Ordinal);
        var recorded = await ReadMovesAsync(name, alias, AliasRollback.MaxMovesWalked + 1, cancellationToken).ConfigureAwait(false);
        var truncated = recorded.Count > AliasRollback.MaxMovesWalked;
        var walked = truncated ? recorded.Take(AliasRollback.MaxMovesWalked).ToList() : recorded;
        var undone = AliasRollback.FindSetToUndo(walked, RegistryEntities.ToAlias(existing).Traffic, versions, truncated, name, alias);
        await prepare(undone.FromTraffic!, cancellationToken).ConfigureAwait(false);
        var move = await NextMoveAsync(name, alias, existing, AliasMoveKind.Rollback, undone.FromTraffic, note, undone.Sequence, cancellationToken).ConfigureAwait(false);
        return await CommitMoveAsync(name, alias, existing, ifMatch, move, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.Conflict($"Alias '{alias}' of model '{name}' was deleted concurrently.");
    }

    public async Task<AliasHistory> GetAliasHistoryAsync(string name, string alias, int limit, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateAlias(alias);
        if (limit is < 1 or > AliasHistory.MaxLimit)
        {
            throw ServingException.BadRequest($"'limit' must be a whole number from 1 to {AliasHistory.MaxLimit} (was {limit}).");
        }

        var moves = await ReadMovesAsync(name, alias, limit + 1, cancellationToken).ConfigureAwait(false);
        if (moves.Count == 0 && await GetEntityAsync(name, RegistryEntities.AliasRowKey(alias), cancellationToken).ConfigureAwait(false) is null)
        {
            throw ServingException.AliasNotFound($"Model '{name}' has no alias '{alias}' and never had one.");
        }

        var more = moves.Count > limit;
        return new AliasHistory(more ? moves.Take(limit).ToList() : moves, more);
    }

    private async Task<AliasMove> NextMoveAsync(string name, string alias, TableEntity? existing, AliasMoveKind kind, AliasTraffic? to, AliasMoveNote note,
        long? undoes, CancellationToken cancellationToken)
    {
        var last = existing?.GetInt64(RegistryEntities.MovesProperty) ?? await NewestSequenceAsync(name, alias, cancellationToken).ConfigureAwait(false);
        var from = existing is null ? null : RegistryEntities.ToAlias(existing).Traffic;
        return new AliasMove(last + 1, _clock.GetUtcNow(), kind, from?.Primary, to?.Primary, note.By, note.Reason, undoes)
        {
            FromTraffic = from,
            ToTraffic = to,
        };
    }

    /// <summary>
    /// Writes the alias change and its history row in one transaction: the change is conditional on
    /// <paramref name="ifMatch"/> (or, without it, on the ETag read as <paramref name="existing"/>, or on the alias's absence).
    /// Returns the alias as now stored (null after a delete). A lost race is PreconditionFailed with If-Match, else Conflict.
    /// </summary>
    private async Task<ModelAlias?> CommitMoveAsync(string name, string alias, TableEntity? existing, string? ifMatch, AliasMove move,
        CancellationToken cancellationToken)
    {
        var rowKey = RegistryEntities.AliasRowKey(alias);
        var expected = existing is null ? default : ifMatch is null || ifMatch == "*" ? existing.ETag : new ETag(ifMatch);
        var change = move.Kind == AliasMoveKind.Delete
            ? new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(name, rowKey), expected)
            : existing is null
                ? new TableTransactionAction(TableTransactionActionType.Add, RegistryEntities.ToEntity(name, alias, move.ToTraffic!, move.AtUtc, move.Sequence))
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, RegistryEntities.ToEntity(name, alias, move.ToTraffic!, move.AtUtc, move.Sequence), expected);
        try
        {
            await _table.SubmitTransactionAsync([change, new TableTransactionAction(TableTransactionActionType.Add, AliasMoveEntities.ToEntity(name, alias, move))],
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            var current = await GetAliasAsync(name, alias, cancellationToken).ConfigureAwait(false);
            var where = current is null ? "deleted" : $"moved to {current.Traffic} (ETag {current.ETag})";
            throw ifMatch is not null
                ? ServingException.PreconditionFailed($"Alias '{alias}' of model '{name}' does not match If-Match {DataText.Quote(ifMatch)}: it was {where}.")
                : ServingException.Conflict($"Alias '{alias}' of model '{name}' was changed concurrently: it was {where}. Re-read it and retry with If-Match.");
        }

        ModelChanged?.Invoke(name);
        return move.Kind == AliasMoveKind.Delete ? null : await GetAliasAsync(name, alias, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sequence of the alias's latest recorded move, 0 when none is.</summary>
    private async Task<long> NewestSequenceAsync(string name, string alias, CancellationToken cancellationToken)
    {
        var newest = await ReadMovesAsync(name, alias, 1, cancellationToken).ConfigureAwait(false);
        return newest.Count == 0 ? 0 : newest[0].Sequence;
    }

    /// <summary>Up to <paramref name="count"/> of the alias's moves, newest first (the row keys' order).</summary>
    private async Task<List<AliasMove>> ReadMovesAsync(string name, string alias, int count, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var moves = new List<AliasMove>(Math.Min(count, 100));
        var filter = RegistryEntities.PrefixFilter(name, AliasMoveEntities.Prefix(alias));
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(count, 1000), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            moves.Add(AliasMoveEntities.ToMove(entity));
            if (moves.Count == count)
            {
                break;
            }
        }

        return moves;
    }
}
