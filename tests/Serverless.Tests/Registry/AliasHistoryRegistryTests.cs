using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.Tests.Support;

namespace Serverless.Tests.Registry;

/// <summary>Alias moves recorded, read back and rolled back by the registry, over a fake table that checks ETags as storage does.</summary>
public sealed class AliasHistoryRegistryTests
{
    private readonly FakeTable _table = new();
    private readonly ModelRegistry _registry;

    public AliasHistoryRegistryTests()
    {
        var container = new Mock<BlobContainerClient>();
        container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns(new Mock<BlobClient>().Object);
        _registry = new ModelRegistry(container.Object, _table.Client, new OnnxModelInspector(), TimeProvider.System);
        foreach (var version in new[] { "1", "2", "3", "4" })
        {
            AddVersion(version);
        }
    }

    [Fact]
    public async Task SetSetRollback_PointsBack_AndHistoryListsEachMoveNewestFirst()
    {
        await _registry.SetAliasAsync("churn", "production", "1", null, new AliasMoveNote("alice", "first"), default);
        await _registry.SetAliasAsync("churn", "production", "2", null, new AliasMoveNote("admin key"), default);

        var rolledBack = await _registry.RollbackAliasAsync("churn", "production", null, new AliasMoveNote("bob", "errors doubled"), default);
        var history = await _registry.GetAliasHistoryAsync("churn", "production", 100, default);

        Assert.Equal("1", rolledBack.Version);
        Assert.Equal(
            [(AliasMoveKind.Rollback, "2", "1", "bob", "errors doubled"), (AliasMoveKind.Set, "1", "2", "admin key", null), (AliasMoveKind.Set, null, "1", "alice", "first")],
            history.Moves.Select(m => (m.Kind, m.FromVersion, m.ToVersion, m.By, m.Reason)));
        Assert.False(history.More);
    }

    [Fact]
    public async Task RepeatedRollbacks_WalkBackThroughEarlierVersions_ThenConflictAtTheAliasCreation()
    {
        await SetAsync("1", "2", "3");

        var first = await RollbackAsync();
        var second = await RollbackAsync();
        var error = await Assert.ThrowsAsync<ServingException>(RollbackAsync);

        Assert.Equal(("2", "1"), (first.Version, second.Version));
        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Contains("nothing to roll back to", error.Message);
        Assert.Equal("1", (await _registry.GetAliasAsync("churn", "production", default))!.Version);
    }

    [Fact]
    public async Task SetAfterRollback_NextRollbackUndoesTheNewSet_ThenContinuesBeforeTheFirstRollback()
    {
        await SetAsync("1", "2", "3");
        await RollbackAsync();
        await SetAsync("4");

        var undoNewSet = await RollbackAsync();
        var further = await RollbackAsync();

        Assert.Equal(("2", "1"), (undoNewSet.Version, further.Version));
    }

    [Fact]
    public async Task Rollback_PreviousVersionDeletedSince_SkipsItToTheOneBefore()
    {
        await SetAsync("1", "2", "3");
        await _registry.DeleteVersionAsync("churn", "2", default);

        var rolledBack = await RollbackAsync();

        Assert.Equal("1", rolledBack.Version);
    }

    [Fact]
    public async Task Rollback_OnlyVersionBeforeWasDeleted_IsConflictNamingIt()
    {
        await SetAsync("1", "2");
        await _registry.DeleteVersionAsync("churn", "1", default);

        var error = await Assert.ThrowsAsync<ServingException>(RollbackAsync);

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Contains("'1'", error.Message);
        Assert.Contains("deleted", error.Message);
    }

    [Fact]
    public async Task Rollback_AliasOnlyEverSetOnce_IsConflictAndRecordsNothing()
    {
        await SetAsync("1");

        var error = await Assert.ThrowsAsync<ServingException>(RollbackAsync);

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Single((await _registry.GetAliasHistoryAsync("churn", "production", 100, default)).Moves);
    }

    [Fact]
    public async Task Rollback_StaleIfMatch_IsPreconditionFailedAndChangesNothing()
    {
        await SetAsync("1", "2");
        var transactions = _table.Transactions;

        var error = await Assert.ThrowsAsync<ServingException>(() =>
            _registry.RollbackAliasAsync("churn", "production", "W/\"stale\"", new AliasMoveNote("bob"), default));

        Assert.Equal(ServingErrorKind.PreconditionFailed, error.Kind);
        Assert.Contains("version '2'", error.Message);
        Assert.Equal(transactions, _table.Transactions);
        Assert.Equal(2, (await _registry.GetAliasHistoryAsync("churn", "production", 100, default)).Moves.Count);
    }

    [Fact]
    public async Task Rollback_CurrentIfMatch_Lands()
    {
        await SetAsync("1", "2");
        var current = await _registry.GetAliasAsync("churn", "production", default);

        var rolledBack = await _registry.RollbackAliasAsync("churn", "production", current!.ETag, new AliasMoveNote("bob"), default);

        Assert.Equal("1", rolledBack.Version);
        Assert.NotEqual(current.ETag, rolledBack.ETag);
    }

    [Fact]
    public async Task ConcurrentRollbacks_BothReadTheSameState_OnlyOneLands()
    {
        await SetAsync("1", "2", "3");
        var bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        _table.BeforeTransaction = () =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothArrived.SetResult();
            }

            return bothArrived.Task;
        };

        var results = await Task.WhenAll(Outcome(RollbackAsync), Outcome(RollbackAsync));

        Assert.Single(results, r => r.Alias?.Version == "2");
        Assert.Single(results, r => r.Error?.Kind == ServingErrorKind.Conflict);
        var history = await _registry.GetAliasHistoryAsync("churn", "production", 100, default);
        Assert.Equal([AliasMoveKind.Rollback, AliasMoveKind.Set, AliasMoveKind.Set, AliasMoveKind.Set], history.Moves.Select(m => m.Kind));
        Assert.Equal("2", (await _registry.GetAliasAsync("churn", "production", default))!.Version);
    }

    [Fact]
    public async Task ConcurrentRollbacksWithTheSameIfMatch_OneIsPreconditionFailed()
    {
        await SetAsync("1", "2", "3");
        var etag = (await _registry.GetAliasAsync("churn", "production", default))!.ETag;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        _table.BeforeTransaction = () =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                gate.SetResult();
            }

            return gate.Task;
        };

        var results = await Task.WhenAll(
            Outcome(() => _registry.RollbackAliasAsync("churn", "production", etag, new AliasMoveNote("a"), default)),
            Outcome(() => _registry.RollbackAliasAsync("churn", "production", etag, new AliasMoveNote("b"), default)));

        Assert.Single(results, r => r.Alias is not null);
        Assert.Single(results, r => r.Error?.Kind == ServingErrorKind.PreconditionFailed);
    }

    [Fact]
    public async Task DeletedAlias_KeepsItsHistory_RollbackIsConflict_ThenANewSetStartsAfterTheDelete()
    {
        await SetAsync("1", "2");
        await _registry.DeleteAliasAsync("churn", "production", null, new AliasMoveNote("carol", "retired"), default);

        var afterDelete = await _registry.GetAliasHistoryAsync("churn", "production", 100, default);
        var error = await Assert.ThrowsAsync<ServingException>(RollbackAsync);
        await SetAsync("3");
        var afterRecreate = await _registry.GetAliasHistoryAsync("churn", "production", 100, default);

        Assert.Equal((AliasMoveKind.Delete, "2", (string?)null, "retired"), (afterDelete.Moves[0].Kind, afterDelete.Moves[0].FromVersion, afterDelete.Moves[0].ToVersion, afterDelete.Moves[0].Reason));
        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Equal([4L, 3, 2, 1], afterRecreate.Moves.Select(m => m.Sequence));
        Assert.Null(afterRecreate.Moves[0].FromVersion);
    }

    [Fact]
    public async Task History_AliasThatNeverExisted_IsAliasNotFound_AndSoIsItsRollback()
    {
        var history = await Assert.ThrowsAsync<ServingException>(() => _registry.GetAliasHistoryAsync("churn", "staging", 100, default));
        var rollback = await Assert.ThrowsAsync<ServingException>(() => _registry.RollbackAliasAsync("churn", "staging", null, AliasMoveNote.Unknown, default));

        Assert.Equal(ErrorCodes.AliasNotFound, history.Code);
        Assert.Equal(ErrorCodes.AliasNotFound, rollback.Code);
    }

    [Fact]
    public async Task History_Limit_ReturnsTheNewestAndSaysMore()
    {
        await SetAsync("1", "2", "3", "4");

        var page = await _registry.GetAliasHistoryAsync("churn", "production", 3, default);
        var all = await _registry.GetAliasHistoryAsync("churn", "production", 4, default);

        Assert.Equal(["4", "3", "2"], page.Moves.Select(m => m.ToVersion));
        Assert.True(page.More);
        Assert.False(all.More);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task History_LimitOutOfRange_IsBadRequestNamingIt(int limit)
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => _registry.GetAliasHistoryAsync("churn", "production", limit, default));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("'limit'", error.Message);
    }

    [Fact]
    public async Task HistoryRows_OfOneAlias_NeverMixWithAnAliasWhoseNameExtendsIt()
    {
        await SetAsync("1", "2");
        await _registry.SetAliasAsync("churn", "production_eu", "3", null, AliasMoveNote.Unknown, default);

        var history = await _registry.GetAliasHistoryAsync("churn", "production", 100, default);

        Assert.Equal(["2", "1"], history.Moves.Select(m => m.ToVersion));
    }

    [Fact]
    public async Task FailedSet_StaleIfMatch_RecordsNoMove()
    {
        await SetAsync("1");

        await Assert.ThrowsAsync<ServingException>(() => _registry.SetAliasAsync("churn", "production", "2", "W/\"stale\"", AliasMoveNote.Unknown, default));

        Assert.Single((await _registry.GetAliasHistoryAsync("churn", "production", 100, default)).Moves);
    }

    [Fact]
    public async Task SplitSet_IsRecordedWithBothStates_AndRollbackRestoresTheSplitWithItsRoutingKey()
    {
        var split = AliasTrafficRules.Create([new("1", 90), new("2", 10)], "x-user-id");
        await SetAsync("1");
        await _registry.SetAliasAsync("churn", "production", split, null, new AliasMoveNote("alice", "canary"), default);
        await SetAsync("3");
        AliasTraffic? prepared = null;

        var rolledBack = await _registry.RollbackAliasAsync("churn", "production", null, new AliasMoveNote("bob"),
            (traffic, _) => { prepared = traffic; return Task.CompletedTask; }, default);
        var history = await _registry.GetAliasHistoryAsync("churn", "production", 100, default);

        Assert.Equal(split, rolledBack.Traffic);
        Assert.Equal("1", rolledBack.Version);
        Assert.Equal(split, prepared);
        Assert.Equal(split, (await _registry.GetAliasAsync("churn", "production", default))!.Traffic);
        Assert.Equal([(AliasMoveKind.Rollback, AliasTraffic.Single("3"), split), (AliasMoveKind.Set, split, AliasTraffic.Single("3")),
                (AliasMoveKind.Set, AliasTraffic.Single("1"), split), (AliasMoveKind.Set, null, AliasTraffic.Single("1"))],
            history.Moves.Select(m => (m.Kind, m.FromTraffic, m.ToTraffic)));
        Assert.Equal("1", history.Moves[2].ToVersion);
    }

    [Fact]
    public async Task Rollback_PrepareFails_StoresNothing()
    {
        await SetAsync("1");
        await _registry.SetAliasAsync("churn", "production", AliasTrafficRules.Create([new("1", 50), new("2", 50)], null), null, AliasMoveNote.Unknown, default);
        await SetAsync("3");

        await Assert.ThrowsAsync<ServingException>(() => _registry.RollbackAliasAsync("churn", "production", null, AliasMoveNote.Unknown,
            (_, _) => throw ServingException.BadRequest("version '2' failed to load"), default));

        Assert.Equal("3", (await _registry.GetAliasAsync("churn", "production", default))!.Version);
        Assert.Equal(3, (await _registry.GetAliasHistoryAsync("churn", "production", 100, default)).Moves.Count);
    }

    [Fact]
    public async Task SplitSet_UnknownVersion_IsVersionNotFound_AndStoresNothing()
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => _registry.SetAliasAsync("churn", "production",
            AliasTrafficRules.Create([new("1", 90), new("9", 10)], null), null, AliasMoveNote.Unknown, default));

        Assert.Equal(ErrorCodes.VersionNotFound, error.Code);
        Assert.Contains("'9'", error.Message);
        Assert.Null(await _registry.GetAliasAsync("churn", "production", default));
    }

    private async Task SetAsync(params string[] versions)
    {
        foreach (var version in versions)
        {
            await _registry.SetAliasAsync("churn", "production", version, null, new AliasMoveNote("admin key"), default);
        }
    }

    private Task<ModelAlias> RollbackAsync() => _registry.RollbackAliasAsync("churn", "production", null, new AliasMoveNote("admin key"), default);

    private static async Task<(ModelAlias? Alias, ServingException? Error)> Outcome(Func<Task<ModelAlias>> action)
    {
        try
        {
            return (await action(), null);
        }
        catch (ServingException e)
        {
            return (null, e);
        }
    }

    private void AddVersion(string version)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData([(byte)version[0]]));
        _table.Put(RegistryEntities.ToEntity(new ModelVersion("churn", version, sha, 1, DateTimeOffset.UnixEpoch, null, [], [], $"churn/{version}/{sha}/model.onnx")));
    }
}
