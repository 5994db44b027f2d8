using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>
/// Which set a rollback undoes: walking an alias's moves newest first, the most recent <see cref="AliasMoveKind.Set"/>
/// (or <see cref="AliasMoveKind.RolloutStart"/>: a rollout's steps are passed over, so rolling back undoes the whole rollout) not already undone,
/// whose every <c>from</c> version (its mirror's included) still exists and whose <c>from</c> state (one version or a split, with its mirror)
/// differs from the alias's state now. A rollback
/// undoes its set and every move between the two (they were undone or skipped then), so repeated rollbacks walk back
/// through earlier versions. A set that created the alias, or a delete, ends the walk. Pure; thread-safe.
/// </summary>
public static class AliasRollback
{
    /// <summary>The most moves one rollback reads back through.</summary>
    public const int MaxMovesWalked = 1000;

    /// <summary>
    /// The set to undo among <paramref name="newestFirst"/> (the alias's moves, newest first; <paramref name="truncated"/> when
    /// older ones were left unread); Conflict saying why when there is none.
    /// </summary>
    public static AliasMove FindSetToUndo(IReadOnlyList<AliasMove> newestFirst, string currentVersion, IReadOnlySet<string> existingVersions,
        bool truncated, string name, string alias) =>
        FindSetToUndo(newestFirst, AliasTraffic.Single(currentVersion), existingVersions, truncated, name, alias);

    /// <summary>
    /// As above, comparing whole states: a set whose <see cref="AliasMove.FromTraffic"/> equals its target or the alias's
    /// <paramref name="current"/> traffic is skipped, and so is one whose split names a deleted version.
    /// </summary>
    public static AliasMove FindSetToUndo(IReadOnlyList<AliasMove> newestFirst, AliasTraffic current, IReadOnlySet<string> existingVersions,
        bool truncated, string name, string alias)
    {
        var resumeBelow = long.MaxValue;
        var deleted = new List<string>();
        string? why = null;
        foreach (var move in newestFirst)
        {
            if (move.Sequence >= resumeBelow)
            {
                continue;
            }

            if (move.Kind == AliasMoveKind.Rollback)
            {
                resumeBelow = move.UndoesSequence ?? move.Sequence;
                continue;
            }

            if (move.Kind == AliasMoveKind.RolloutStep)
            {
                continue; // A rollout's own steps are undone with its start.
            }

            if (move.Kind == AliasMoveKind.Delete || move.FromVersion is null)
            {
                why = $"it was created at {move.ToTraffic ?? current} and no later set is left to undo";
                break;
            }

            var from = move.FromTraffic ?? AliasTraffic.Single(move.FromVersion);
            if (from.Equals(move.ToTraffic) || from.Equals(current))
            {
                continue;
            }

            var gone = from.Shares.Select(s => s.Version).Append(from.Mirror?.Version)
                .Where(v => v is not null && !existingVersions.Contains(v)).Select(v => v!).ToList();
            if (gone.Count > 0)
            {
                deleted.AddRange(gone);
                continue;
            }

            return move;
        }

        why ??= newestFirst.Count == 0
            ? "no move of it is recorded (it was last set before the registry kept alias history)"
            : truncated
                ? $"no earlier version within its newest {MaxMovesWalked} moves"
                : "every recorded move has been rolled back";
        var skipped = deleted.Count == 0 ? "" : $" Version(s) {DataText.List(deleted.Distinct())} it pointed at before have been deleted.";
        throw ServingException.Conflict(
            $"Alias '{alias}' of model '{name}' has nothing to roll back to: {why}.{skipped} Point it at a version with PUT instead.");
    }
}
