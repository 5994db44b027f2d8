using System.Security.Cryptography;
using System.Text;
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

/// <summary>Manifest registration decisions with the storage SDK clients mocked; the real round trip is covered end to end.</summary>
public sealed class ModelManifestRegistryTests
{
    private static readonly byte[] ModelBytes = ReferenceModels.LogisticRegression();
    private static readonly ModelManifest Manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes(ReferenceManifests.LogisticRegression()));

    private readonly Mock<BlobContainerClient> _container = new();
    private readonly Mock<BlobClient> _blob = new();
    private readonly Mock<TableClient> _table = new();

    public ModelManifestRegistryTests()
    {
        _container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns(_blob.Object);
        _table.Setup(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), It.IsAny<ETag>(), It.IsAny<TableUpdateMode>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Mock.Of<Response>());
    }

    [Fact]
    public async Task SetManifestAsync_UnknownModel_ThrowsModelNotFoundAndWritesNothing()
    {
        ReturnsForGet((TableEntity?)null);
        ReturnsForQuery();

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().SetManifestAsync("churn", "1", Manifest, default));

        Assert.Equal(ServingErrorKind.NotFound, error.Kind);
        Assert.Equal(ErrorCodes.ModelNotFound, error.Code);
        VerifyNothingWritten();
    }

    [Fact]
    public async Task SetManifestAsync_UnknownVersionOfAKnownModel_ThrowsVersionNotFound()
    {
        ReturnsForGet((TableEntity?)null);
        ReturnsForQuery(RegistryEntities.ToEntity(Stored(manifestSha256: null) with { Version = "2" }));

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().SetManifestAsync("churn", "1", Manifest, default));

        Assert.Equal(ErrorCodes.VersionNotFound, error.Code);
        VerifyNothingWritten();
    }

    [Fact]
    public async Task SetManifestAsync_ManifestNotFittingTheModel_ThrowsBadRequestAndWritesNothing()
    {
        ReturnsForGet(Stored(manifestSha256: null));
        var tooFew = ModelManifest.Parse(Encoding.UTF8.GetBytes(ReferenceManifests.LogisticRegression(features: 9)));

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().SetManifestAsync("churn", "1", tooFew, default));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("'features'", error.Message);
        VerifyNothingWritten();
    }

    [Fact]
    public async Task SetManifestAsync_FirstManifest_ClaimsTheEntityConditionallyThenUploadsTheCanonicalJsonBesideTheModel()
    {
        var entity = RegistryEntities.ToEntity(Stored(manifestSha256: null));
        entity.ETag = new ETag("W/\"read\"");
        ReturnsForGet(entity);
        var changed = new List<string>();
        var registry = CreateRegistry();
        registry.ModelChanged += changed.Add;

        var result = await registry.SetManifestAsync("churn", "1", Manifest, default);

        var sha = Convert.ToHexStringLower(SHA256.HashData(Manifest.ToCanonicalJson()));
        Assert.Equal(RegistrationOutcome.Created, result.Outcome);
        Assert.Equal(sha, result.Version.ManifestSha256);
        Assert.Equal(["churn"], changed);
        _table.Verify(t => t.UpdateEntityAsync(
            It.Is<TableEntity>(e => e.GetString("ManifestSha256") == sha && e.RowKey == "v_1"), new ETag("W/\"read\""), TableUpdateMode.Merge, It.IsAny<CancellationToken>()), Times.Once);
        _container.Verify(c => c.GetBlobClient(result.Version.ManifestBlobName), Times.Once);
        Assert.EndsWith("/manifest.json", result.Version.ManifestBlobName);
        Assert.StartsWith($"churn/1/{result.Version.Sha256}/", result.Version.ManifestBlobName);
        _blob.Verify(b => b.UploadAsync(It.Is<BinaryData>(d => d.ToArray().SequenceEqual(Manifest.ToCanonicalJson())), true, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task SetManifestAsync_SameManifestAgain_ReturnsUnchangedWithoutClaiming()
    {
        ReturnsForGet(Stored(Manifest.ComputeSha256()));

        var result = await CreateRegistry().SetManifestAsync("churn", "1", Manifest, default);

        Assert.Equal(RegistrationOutcome.Unchanged, result.Outcome);
        _table.Verify(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), It.IsAny<ETag>(), It.IsAny<TableUpdateMode>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task SetManifestAsync_DifferentManifestAlreadyRegistered_ThrowsConflictAndWritesNothing()
    {
        ReturnsForGet(Stored("0123abcd"));

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().SetManifestAsync("churn", "1", Manifest, default));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        Assert.Contains("already has a different manifest", error.Message);
        VerifyNothingWritten();
    }

    [Fact]
    public async Task SetManifestAsync_ClaimLostToADifferentManifest_ThrowsConflictAndUploadsNothing()
    {
        _table.SetupSequence(t => t.GetEntityIfExistsAsync<TableEntity>("churn", "v_1", It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(RegistryEntities.ToEntity(Stored(null)), Mock.Of<Response>()))
            .ReturnsAsync(Response.FromValue(RegistryEntities.ToEntity(Stored("feedbeef")), Mock.Of<Response>()));
        _table.Setup(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), It.IsAny<ETag>(), TableUpdateMode.Merge, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(412, "The update condition specified in the request was not satisfied."));

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().SetManifestAsync("churn", "1", Manifest, default));

        Assert.Equal(ServingErrorKind.Conflict, error.Kind);
        _blob.Verify(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task GetManifestAsync_VersionWithoutManifest_ReturnsNullWithoutReadingStorage()
    {
        var manifest = await CreateRegistry().GetManifestAsync(Stored(null), default);

        Assert.Null(manifest);
        _container.Verify(c => c.GetBlobClient(It.IsAny<string>()), Times.Never);
    }

    [Fact]
    public void VersionEntity_WithManifest_RoundTripsItsPresence()
    {
        var withManifest = RegistryEntities.ToVersion(RegistryEntities.ToEntity(Stored("abc123")));
        var without = RegistryEntities.ToVersion(RegistryEntities.ToEntity(Stored(null)));

        Assert.Equal("abc123", withManifest.ManifestSha256);
        Assert.Null(without.ManifestSha256);
    }

    private ModelRegistry CreateRegistry() => new(_container.Object, _table.Object, new OnnxModelInspector(), TimeProvider.System);

    private void ReturnsForGet(ModelVersion? version) => ReturnsForGet(version is null ? null : RegistryEntities.ToEntity(version));

    private void ReturnsForGet(TableEntity? entity) =>
        _table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>("churn", "v_1", It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(entity is null ? Missing() : Response.FromValue(entity, Mock.Of<Response>()));

    private void ReturnsForQuery(params TableEntity[] entities) =>
        _table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(AsyncPageable<TableEntity>.FromPages([Page<TableEntity>.FromValues(entities, null, Mock.Of<Response>())]));

    private void VerifyNothingWritten()
    {
        _table.Verify(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), It.IsAny<ETag>(), It.IsAny<TableUpdateMode>(), It.IsAny<CancellationToken>()), Times.Never);
        _blob.Verify(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private static NullableResponse<TableEntity> Missing()
    {
        var missing = new Mock<NullableResponse<TableEntity>>();
        missing.SetupGet(r => r.HasValue).Returns(false);
        return missing.Object;
    }

    private static ModelVersion Stored(string? manifestSha256)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(ModelBytes));
        var signature = new OnnxModelInspector().Inspect(ModelBytes).Signature;
        return new ModelVersion("churn", "1", sha, ModelBytes.Length, DateTimeOffset.UnixEpoch, null, signature.Inputs, signature.Outputs, $"churn/1/{sha}/model.onnx")
        {
            ManifestSha256 = manifestSha256,
        };
    }
}
