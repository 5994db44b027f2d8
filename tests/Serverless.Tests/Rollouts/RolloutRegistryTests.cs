using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.Tests.Support;

namespace Serverless.Tests.Rollouts;

/// <summary>Rollouts stored beside their alias over a fake table that checks ETags as storage does: each change moves the alias and records it in one transaction.</summary>
public sealed class RolloutRegistryTests
{
    private readonly FakeTable _table = new();
    private readonly ModelRegistry _registry;

    public RolloutRegistryTests()
    {
        var container = new Mock<BlobContainerClient>();
        container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns(new Mock<BlobClient>().Object);
        _registry = new ModelRegistry(container.Object, _table.Client, new OnnxModelInspector(), TimeProvider.System);
        foreach (var version in new[] { "2", "3", "4" })
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData([(byte)version[0]]));
            _table.Put(RegistryEntities.ToEntity(new ModelVersion("churn", version, sha, 1, DateTimeOffset.UnixEpoch, null, [], [], $"churn/{version}/{sha}/model.onnx")));
        }
    }

    private static RolloutPlan Plan => new("4", [5, 25, 100], 10, 200, new RolloutGuards(0.02, null, null), "x-routing-key");

    [Fact]
    public async Task Start_OneVersionAlias_MovesToTheFirstSplit_InOneTransaction_Recorded()
    {
        await _registry.SetAliasAsync("churn", "production", "3", null, AliasMoveNote.Unknown, default);
        var before = _table.Transactions;

        var (alias, rollout) = await _registry.StartRolloutAsync("churn", "production", Plan, null, new AliasMoveNote("alice", "canary"), default);
        var stored = await _registry.GetRolloutAsync("churn", "production", default);
        var move = (await _registry.GetAliasHistoryAsync("churn", "production", 1, default)).Moves[0];

        Assert.Equal(before + 1, _table.Transactions);
        Assert.Equal("""{"3":95,"4":5}""", alias.Traffic.ToJson());
        Assert.Equal(("3", 0, RolloutState.Running, "alice", "canary"), (rollout.Champion, rollout.Step, rollout.State, rollout.By, rollout.Reason));
        Assert.Equal(rollout.ETag, stored!.ETag);
        Assert.Equal(Plan.Steps, stored.Plan.Steps);
        Assert.Equal((AliasMoveKind.RolloutStart, "alice", "canary"), (move.Kind, move.By, move.Reason));
        Assert.Equal(AliasTraffic.Single("3"), move.FromTraffic);
    }

    [Fact]
    public async Task WhileRunning_ManualSetDeleteRollbackAndASecondStart_AreConflictsNamingTheRollout()
    {
        await _registry.SetAliasAsync("churn", "production", "2", null, AliasMoveNote.Unknown, default);
        await _registry.SetAliasAsync("churn", "production", "3", null, AliasMoveNote.Unknown, default);
        await _registry.StartRolloutAsync("churn", "production", Plan, null, AliasMoveNote.Unknown, default);

        var errors = new[]
        {
            await Assert.ThrowsAsync<ServingException>(() => _registry.SetAliasAsync("churn", "production", "2", null, AliasMoveNote.Unknown, default)),
            await Assert.ThrowsAsync<ServingException>(() => _registry.DeleteAliasAsync("churn", "production", null, AliasMoveNote.Unknown, default)),
            await Assert.ThrowsAsync<ServingException>(() => _registry.RollbackAliasAsync("churn", "production", null, AliasMoveNote.Unknown, default)),
            await Assert.ThrowsAsync<ServingException>(() => _registry.StartRolloutAsync("churn", "production", Plan, null, AliasMoveNote.Unknown, default)),
        };

        Assert.All(errors, e => Assert.Equal(ServingErrorKind.Conflict, e.Kind));
        Assert.All(errors, e => Assert.Contains("rollout of version '4' running (step 1 of 3, 5 %)", e.Message));
        Assert.Equal("""{"3":95,"4":5}""", (await _registry.GetAliasAsync("churn", "production", default))!.Traffic.ToJson());
    }

    [Theory]
    [InlineData("4", "already points at version '4'")]
    [InlineData("split", "splits traffic")]
    [InlineData("mirror", "mirrors version '2' (25 %)")]
    public async Task Start_FromASplitAMirrorOrTheSameVersion_IsConflictSayingWhy(string current, string expected)
    {
        if (current == "split")
        {
            await _registry.SetAliasAsync("churn", "production", AliasTrafficRules.Create([new("2", 50), new("3", 50)], null), null, AliasMoveNote.Unknown, default);
        }
        else if (current == "mirror")
        {
            await _registry.SetAliasAsync("churn", "production", AliasTrafficRules.WithMirror(AliasTraffic.Single("3"), "2", 25), null, AliasMoveNote.Unknown, default);
        }
        else
        {
            await _registry.SetAliasAsync("churn", "production", current, null, AliasMoveNote.Unknown, default);
        }

        var error = await Assert.ThrowsAsync<ServingException>(() => _registry.StartRolloutAsync("churn", "production", Plan, null, AliasMoveNote.Unknown, default));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Contains(expected, error.Message);
        Assert.Null(await _registry.GetRolloutAsync("churn", "production", default));
    }

    [Fact]
    public async Task Move_StaleAliasETag_IsConflictAndChangesNothing()
    {
        await _registry.SetAliasAsync("churn", "production", "3", null, AliasMoveNote.Unknown, default);
        var (_, rollout) = await _registry.StartRolloutAsync("churn", "production", Plan, null, AliasMoveNote.Unknown, default);
        var next = rollout with { Step = 1 };

        var error = await Assert.ThrowsAsync<ServingException>(() => _registry.MoveRolloutAsync("churn", "production", "W/\"stale\"", rollout, next,
            RolloutTraffic.Current(next), AliasMoveNote.System("rollout", "step"), default));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Equal(0, (await _registry.GetRolloutAsync("churn", "production", default))!.Step);
    }

    [Fact]
    public async Task Abort_ReturnsToTheChampion_RecordedWithTheCaller_ThenAbortAgainIsConflict()
    {
        await _registry.SetAliasAsync("churn", "production", "3", null, AliasMoveNote.Unknown, default);
        await _registry.StartRolloutAsync("churn", "production", Plan, null, AliasMoveNote.Unknown, default);

        var (alias, rollout) = await _registry.AbortRolloutAsync("churn", "production", null, new AliasMoveNote("bob", "too slow"), default);
        var move = (await _registry.GetAliasHistoryAsync("churn", "production", 1, default)).Moves[0];
        var again = await Assert.ThrowsAsync<ServingException>(() => _registry.AbortRolloutAsync("churn", "production", null, AliasMoveNote.Unknown, default));

        Assert.Equal(AliasTraffic.Single("3"), alias.Traffic);
        Assert.Equal(RolloutState.Aborted, rollout.State);
        Assert.Contains("aborted at 5 % by bob: too slow", rollout.EndReason);
        Assert.Equal((AliasMoveKind.RolloutStep, "bob"), (move.Kind, move.By));
        Assert.Equal(ServingErrorKind.Conflict, again.Kind);
        Assert.Contains("not running", again.Message);
    }

    [Fact]
    public async Task RollbackAfterACompletedRollout_UndoesTheWholeRollout_BackToTheChampion()
    {
        await _registry.SetAliasAsync("churn", "production", "3", null, AliasMoveNote.Unknown, default);
        var (alias, rollout) = await _registry.StartRolloutAsync("churn", "production", Plan, null, AliasMoveNote.Unknown, default);
        foreach (var step in new[] { 1, 2 })
        {
            var next = rollout with { Step = step };
            (alias, rollout) = await _registry.MoveRolloutAsync("churn", "production", alias.ETag, rollout, next, RolloutTraffic.Current(next),
                AliasMoveNote.System("rollout", $"step {step}"), default);
        }

        var completed = rollout with { State = RolloutState.Completed };
        await _registry.MoveRolloutAsync("churn", "production", alias.ETag, rollout, completed, AliasTraffic.Single("4"), AliasMoveNote.System("rollout", "done"), default);

        var rolledBack = await _registry.RollbackAliasAsync("churn", "production", null, AliasMoveNote.Unknown, default);

        Assert.Equal(AliasTraffic.Single("3"), rolledBack.Traffic);
    }
}
