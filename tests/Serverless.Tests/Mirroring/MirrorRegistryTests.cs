using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.Tests.Support;

namespace Serverless.Tests.Mirroring;

/// <summary>An alias's mirror in the registry: stored and read back, recorded in the alias's history, restored by rollback, guarding its version.</summary>
public sealed class MirrorRegistryTests
{
    private readonly FakeTable _table = new();
    private readonly ModelRegistry _registry;

    public MirrorRegistryTests()
    {
        var container = new Mock<BlobContainerClient>();
        container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns(new Mock<BlobClient>().Object);
        _registry = new ModelRegistry(container.Object, _table.Client, new OnnxModelInspector(), TimeProvider.System);
        foreach (var version in new[] { "1", "2", "3", "5" })
        {
            AddVersion(version);
        }
    }

    [Fact]
    public async Task SetWithMirror_ReadsBack_AndHistoryRecordsFromAndToMirror()
    {
        var mirrored = AliasTrafficRules.WithMirror(AliasTraffic.Single("1"), "5", 30);
        await _registry.SetAliasAsync("churn", "production", "1", null, AliasMoveNote.Unknown, default);
        await _registry.SetAliasAsync("churn", "production", mirrored, null, AliasMoveNote.Unknown, default);
        await _registry.SetAliasAsync("churn", "production", "2", null, AliasMoveNote.Unknown, default);

        var moves = (await _registry.GetAliasHistoryAsync("churn", "production", 10, default)).Moves;
        await _registry.SetAliasAsync("churn", "production", mirrored, null, AliasMoveNote.Unknown, default);
        var stored = await _registry.GetAliasAsync("churn", "production", default);
        var listed = Assert.Single(await _registry.ListAliasesAsync("churn", default));

        Assert.Equal(new AliasMirror("5", 30), stored!.Traffic.Mirror);
        Assert.Equal(mirrored, listed.Traffic);
        Assert.Equal((new AliasMirror("5", 30), (AliasMirror?)null), (moves[0].FromTraffic!.Mirror, moves[0].ToTraffic!.Mirror));
        Assert.Equal(((AliasMirror?)null, new AliasMirror("5", 30)), (moves[1].FromTraffic!.Mirror, moves[1].ToTraffic!.Mirror));
    }

    [Fact]
    public async Task Rollback_AfterTheMirrorWasRemoved_RestoresIt_AndAMirrorOnlyChangeIsUndoable()
    {
        await _registry.SetAliasAsync("churn", "production", "1", null, AliasMoveNote.Unknown, default);
        await _registry.SetAliasAsync("churn", "production", AliasTrafficRules.WithMirror(AliasTraffic.Single("1"), "5", 50), null, AliasMoveNote.Unknown, default);
        await _registry.SetAliasAsync("churn", "production", "1", null, AliasMoveNote.Unknown, default);

        var restored = await _registry.RollbackAliasAsync("churn", "production", null, AliasMoveNote.Unknown, default);
        var removedAgain = await _registry.RollbackAliasAsync("churn", "production", null, AliasMoveNote.Unknown, default);

        Assert.Equal(new AliasMirror("5", 50), restored.Traffic.Mirror);
        Assert.Equal("1", restored.Version);
        Assert.Null(removedAgain.Traffic.Mirror);
    }

    [Fact]
    public async Task DeleteVersion_HeldByAMirror_IsConflict_AndAnUnknownMirrorVersionIsNotFound()
    {
        await _registry.SetAliasAsync("churn", "production", AliasTrafficRules.WithMirror(AliasTraffic.Single("1"), "5", 50), null, AliasMoveNote.Unknown, default);

        var delete = await Assert.ThrowsAsync<ServingException>(() => _registry.DeleteVersionAsync("churn", "5", default));
        var unknown = await Assert.ThrowsAsync<ServingException>(() =>
            _registry.SetAliasAsync("churn", "staging", AliasTrafficRules.WithMirror(AliasTraffic.Single("1"), "9", 50), null, AliasMoveNote.Unknown, default));

        Assert.Equal(ServingErrorKind.Conflict, delete.Kind);
        Assert.Contains("production", delete.Message);
        Assert.Equal(ErrorCodes.VersionNotFound, unknown.Code);
        Assert.Contains("'9'", unknown.Message);
        Assert.Null(await _registry.GetAliasAsync("churn", "staging", default));
    }

    [Fact]
    public void Traffic_WithMirror_IsNotEqualToTheSameTrafficWithout_AndSaysSo()
    {
        var plain = AliasTraffic.Single("1");
        var mirrored = plain.WithMirror(new AliasMirror("5", 50));

        Assert.NotEqual(plain, mirrored);
        Assert.Equal(mirrored, AliasTraffic.Single("1").WithMirror(new AliasMirror("5", 50)));
        Assert.Equal("version '1', mirror '5' at 50 %", mirrored.ToString());
        Assert.True(mirrored.Holds("5"));
        Assert.False(mirrored.Contains("5"));
    }

    private void AddVersion(string version)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData([(byte)version[0]]));
        _table.Put(RegistryEntities.ToEntity(new ModelVersion("churn", version, sha, 1, DateTimeOffset.UnixEpoch, null, [], [], $"churn/{version}/{sha}/model.onnx")));
    }
}
