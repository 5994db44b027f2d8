using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Tests.Registry;

/// <summary>The rollback walk on its own: which recorded set a rollback undoes, and why none when there is none.</summary>
public sealed class AliasRollbackTests
{
    private static readonly HashSet<string> AllVersions = ["1", "2", "3", "4", "5"];

    [Fact]
    public void FindSetToUndo_RollbackUndidTheNewestSet_UndoesTheOneBefore()
    {
        var moves = NewestFirst(Set(1, null, "1"), Set(2, "1", "2"), Set(3, "2", "3"), Rollback(4, "3", "2", undoes: 3));

        var undone = AliasRollback.FindSetToUndo(moves, "2", AllVersions, truncated: false, "m", "production");

        Assert.Equal(2, undone.Sequence);
    }

    [Fact]
    public void FindSetToUndo_RollbackThatSkippedADeletedVersion_NextRollbackContinuesBeforeWhatItUndid()
    {
        // Version 3 was deleted, so the rollback skipped set 4 (from 3) and undid set 3 (from 2): the next undoes set 2, not set 3 again.
        var moves = NewestFirst(Set(1, null, "1"), Set(2, "1", "2"), Set(3, "2", "3"), Set(4, "3", "4"), Rollback(5, "4", "2", undoes: 3));

        var undone = AliasRollback.FindSetToUndo(moves, "2", new HashSet<string> { "1", "2", "4" }, truncated: false, "m", "production");

        Assert.Equal(2, undone.Sequence);
    }

    [Fact]
    public void FindSetToUndo_NoRecordedMoves_IsConflictSayingSo()
    {
        var error = Assert.Throws<ServingException>(() => AliasRollback.FindSetToUndo([], "1", AllVersions, truncated: false, "m", "production"));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Contains("no move of it is recorded", error.Message);
    }

    [Fact]
    public void FindSetToUndo_WalkCutShort_SaysHowFarItLooked()
    {
        var moves = NewestFirst(Set(1, "2", "2"));

        var error = Assert.Throws<ServingException>(() => AliasRollback.FindSetToUndo(moves, "2", AllVersions, truncated: true, "m", "production"));

        Assert.Contains($"newest {AliasRollback.MaxMovesWalked} moves", error.Message);
    }

    [Fact]
    public void FindSetToUndo_SetToTheSameVersion_IsSkipped()
    {
        var moves = NewestFirst(Set(1, null, "1"), Set(2, "1", "2"), Set(3, "2", "2"));

        Assert.Equal(2, AliasRollback.FindSetToUndo(moves, "2", AllVersions, truncated: false, "m", "production").Sequence);
    }

    private static List<AliasMove> NewestFirst(params AliasMove[] oldestFirst) => oldestFirst.Reverse().ToList();

    private static AliasMove Set(long sequence, string? from, string to) => new(sequence, DateTimeOffset.UnixEpoch, AliasMoveKind.Set, from, to, "test", null);

    private static AliasMove Rollback(long sequence, string from, string to, long undoes) =>
        new(sequence, DateTimeOffset.UnixEpoch, AliasMoveKind.Rollback, from, to, "test", null, undoes);
}
