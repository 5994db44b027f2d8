using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.TestModels;

namespace Serverless.Tests.Registry;

/// <summary>The registry's decisions with the storage SDK clients mocked; storage behaviour itself is covered against Azurite.</summary>
public sealed class ModelRegistryTests
{
    private readonly Mock<BlobContainerClient> _container = new();
    private readonly Mock<BlobClient> _blob = new();
    private readonly Mock<TableClient> _table = new();

    public ModelRegistryTests()
    {
        _table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(AsyncPageable<TableEntity>.FromPages([])); // Queries a test does not set up (a name's other versions, say) find nothing.
        _container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns(_blob.Object);
        _table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Missing()); // Rows a test does not set up (an alias's rollout row, say) do not exist.
        ReturnsForGet("churn", "v_1", null);
    }

    [Fact]
    public async Task RegisterAsync_BytesOnnxRuntimeRejects_ThrowsBadRequestAndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<ServingException>(() =>
            CreateRegistry().RegisterAsync("churn", "1", "not a model"u8.ToArray(), null, default));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        _container.Verify(c => c.GetBlobClient(It.IsAny<string>()), Times.Never);
        _table.Verify(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task RegisterAsync_SameBytesAlreadyRegistered_ReturnsUnchangedWithoutWriting()
    {
        var bytes = ReferenceModels.FixedShape();
        ReturnsForGet("churn", "v_1", RegistryEntities.ToEntity(Stored("churn", "1", bytes)));

        var result = await CreateRegistry().RegisterAsync("churn", "1", bytes, null, default);

        Assert.Equal(RegistrationOutcome.Unchanged, result.Outcome);
        _blob.Verify(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task RegisterAsync_ConcurrentWinnerStoredOtherBytes_RemovesOwnBlobAndThrowsConflict()
    {
        var winner = RegistryEntities.ToEntity(Stored("churn", "1", ReferenceModels.LogisticRegression()));
        _table.SetupSequence(t => t.GetEntityIfExistsAsync<TableEntity>("churn", "v_1", It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Missing())
            .ReturnsAsync(Response.FromValue(winner, Mock.Of<Response>()));
        _table.Setup(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(409, "The specified entity already exists."));

        var error = await Assert.ThrowsAsync<ServingException>(() =>
            CreateRegistry().RegisterAsync("churn", "1", ReferenceModels.FixedShape(), null, default));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        _blob.Verify(b => b.DeleteIfExistsAsync(It.IsAny<Azure.Storage.Blobs.Models.DeleteSnapshotsOption>(),
            It.IsAny<Azure.Storage.Blobs.Models.BlobRequestConditions>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task SetAliasAsync_StaleIfMatch_ThrowsPreconditionFailedNamingTheCurrentVersion()
    {
        ReturnsForGet("churn", "v_2", RegistryEntities.ToEntity(Stored("churn", "2", [1])));
        var current = RegistryEntities.ToEntity("churn", "production", AliasTraffic.Single("3"), DateTimeOffset.UnixEpoch, moves: 5);
        current.ETag = new ETag("W/\"current\"");
        ReturnsForGet("churn", "a_production", current);
        _table.Setup(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(412, "The update condition specified in the request was not satisfied."));

        var error = await Assert.ThrowsAsync<ServingException>(() =>
            CreateRegistry().SetAliasAsync("churn", "production", "2", "W/\"stale\"", AliasMoveNote.Unknown, default));

        Assert.Equal(ServingErrorKind.PreconditionFailed, error.Kind);
        Assert.Contains("version '3'", error.Message);
        _table.Verify(t => t.SubmitTransactionAsync(
            It.Is<IEnumerable<TableTransactionAction>>(a => a.First().ActionType == TableTransactionActionType.UpdateReplace && a.First().ETag == new ETag("W/\"stale\"")),
            It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task DeleteVersionAsync_WhileASplitHoldsItAtWeightZero_ThrowsConflictAndDeletesNothing()
    {
        ReturnsForGet("churn", "v_2", RegistryEntities.ToEntity(Stored("churn", "2", [1])));
        var split = AliasTrafficRules.Create([new("1", 100), new("2", 0)], null);
        var alias = RegistryEntities.ToEntity("churn", "canary", split, DateTimeOffset.UnixEpoch);
        _table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(AsyncPageable<TableEntity>.FromPages([Page<TableEntity>.FromValues([alias], null, Mock.Of<Response>())]));

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().DeleteVersionAsync("churn", "2", default));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Contains("canary", error.Message);
        _table.Verify(t => t.DeleteEntityAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<ETag>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task DeleteVersionAsync_WhileAnAliasPointsAtIt_ThrowsConflictAndDeletesNothing()
    {
        ReturnsForGet("churn", "v_1", RegistryEntities.ToEntity(Stored("churn", "1", [1])));
        var alias = RegistryEntities.ToEntity("churn", "production", AliasTraffic.Single("1"), DateTimeOffset.UnixEpoch);
        _table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(AsyncPageable<TableEntity>.FromPages([Page<TableEntity>.FromValues([alias], null, Mock.Of<Response>())]));

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().DeleteVersionAsync("churn", "1", default));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        _table.Verify(t => t.DeleteEntityAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<ETag>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private ModelRegistry CreateRegistry() => new(_container.Object, _table.Object, new OnnxModelInspector(), TimeProvider.System);

    private void ReturnsForGet(string partition, string row, TableEntity? entity) =>
        _table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(partition, row, It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(entity is null ? Missing() : Response.FromValue(entity, Mock.Of<Response>()));

    private static NullableResponse<TableEntity> Missing()
    {
        var missing = new Mock<NullableResponse<TableEntity>>();
        missing.SetupGet(r => r.HasValue).Returns(false);
        return missing.Object;
    }

    private static ModelVersion Stored(string name, string version, byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new ModelVersion(name, version, sha, bytes.Length, DateTimeOffset.UnixEpoch, null, [], [], $"{name}/{version}/{sha}/model.onnx");
    }
}
