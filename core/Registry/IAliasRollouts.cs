using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>
/// The stored side of rollouts (<see cref="AliasRollout"/>), kept beside each alias in the registry's table. Every change
/// that moves the alias is one entity group transaction of the alias change (conditional on its ETag), the rollout row
/// (conditional on its ETag, or on its absence) and the move's history row, so a rollout's state, its alias and the
/// alias's history never disagree, and of two concurrent changes only one lands (the other is a Conflict, or
/// PreconditionFailed with If-Match). While a rollout runs, the registry refuses every other move of its alias (Conflict).
/// Thread-safe; each method is a few storage round trips.
/// </summary>
public interface IAliasRollouts
{
    /// <summary>The alias's latest rollout (running or ended), or null when it never had one.</summary>
    Task<AliasRollout?> GetRolloutAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>
    /// Starts <paramref name="plan"/> on the alias: it must exist (AliasNotFound) and point at one version other than the
    /// plan's (its champion), have no running rollout, and the plan's version must exist (NotFound); Conflict saying why
    /// otherwise. The alias moves to the first step's split, recorded as a <see cref="AliasMoveKind.RolloutStart"/> move.
    /// </summary>
    Task<(ModelAlias Alias, AliasRollout Rollout)> StartRolloutAsync(string name, string alias, RolloutPlan plan, string? ifMatch, AliasMoveNote note,
        CancellationToken cancellationToken);

    /// <summary>
    /// Moves a running rollout on: stores <paramref name="next"/> and points the alias at <paramref name="traffic"/>, recorded as a
    /// <see cref="AliasMoveKind.RolloutStep"/> move with <paramref name="note"/>; conditional on <paramref name="current"/>'s and
    /// <paramref name="aliasETag"/>'s ETags (Conflict when either changed).
    /// </summary>
    Task<(ModelAlias Alias, AliasRollout Rollout)> MoveRolloutAsync(string name, string alias, string aliasETag, AliasRollout current, AliasRollout next,
        AliasTraffic traffic, AliasMoveNote note, CancellationToken cancellationToken);

    /// <summary>Stores a running rollout's new readings (the alias does not move); conditional on <paramref name="current"/>'s ETag (Conflict when it changed).</summary>
    Task<AliasRollout> SaveReadingsAsync(string name, string alias, AliasRollout current, RolloutReadings readings, CancellationToken cancellationToken);

    /// <summary>
    /// Aborts the alias's running rollout: the alias returns to the champion alone, recorded. Conflict when no rollout runs
    /// (AliasNotFound when the alias does not exist); with <paramref name="ifMatch"/> (the alias's ETag) PreconditionFailed when it moved.
    /// </summary>
    Task<(ModelAlias Alias, AliasRollout Rollout)> AbortRolloutAsync(string name, string alias, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken);

    /// <summary>Every running rollout of every model, as (model, alias).</summary>
    Task<IReadOnlyList<(string Model, string Alias)>> ListRunningRolloutsAsync(CancellationToken cancellationToken);
}
