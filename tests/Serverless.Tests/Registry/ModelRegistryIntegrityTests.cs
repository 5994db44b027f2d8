using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.TestModels;

namespace Serverless.Tests.Registry;

/// <summary>Blobs the registry trusts are checked against the SHA-256 its table holds, and what registration measures is stored.</summary>
public sealed class ModelRegistryIntegrityTests
{
    private static readonly byte[] ModelBytes = ReferenceModels.LogisticRegression();
    private static readonly ModelManifest Manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes(ReferenceManifests.LogisticRegression()));

    private readonly Mock<BlobContainerClient> _container = new();
    private readonly Mock<BlobClient> _blob = new();
    private readonly Mock<TableClient> _table = new();

    public ModelRegistryIntegrityTests()
    {
        _table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(AsyncPageable<TableEntity>.FromPages([])); // Queries a test does not set up (a name's other versions, say) find nothing.
        _container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns(_blob.Object);
    }

    [Fact]
    public async Task DownloadAsync_StoredBytesAsRegistered_ReturnsThem()
    {
        StoredBlob(ModelBytes);

        var bytes = await CreateRegistry().DownloadAsync(Version(), default);

        Assert.Equal(ModelBytes, bytes);
    }

    [Fact]
    public async Task DownloadAsync_StoredBytesReplacedByAnotherModel_IsAnIntegrityFailureNotTheOtherModel()
    {
        StoredBlob(ReferenceModels.LogisticRegression(seed: 2));

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateRegistry().DownloadAsync(Version(), default));

        Assert.Equal(ServingErrorKind.IntegrityFailure, error.Kind);
        Assert.Equal(500, error.StatusCode);
        Assert.Contains("Model 'churn' version '1' failed its integrity check", error.Message);
        Assert.Contains(Version().Sha256, error.Message);
        Assert.Contains("re-register", error.Message);
    }

    [Fact]
    public async Task GetManifestAsync_StoredManifestAsRegistered_ParsesIt()
    {
        StoredBlob(Manifest.ToCanonicalJson());

        var manifest = await CreateRegistry().GetManifestAsync(Version() with { ManifestSha256 = Manifest.ComputeSha256() }, default);

        Assert.NotNull(manifest);
        Assert.Equal(Manifest.ComputeSha256(), manifest.ComputeSha256());
    }

    [Fact]
    public async Task GetManifestAsync_StoredManifestEdited_IsAnIntegrityFailure()
    {
        var edited = Encoding.UTF8.GetString(Manifest.ToCanonicalJson()).Replace("\"features\"", "\"features\" ", StringComparison.Ordinal);
        StoredBlob(Encoding.UTF8.GetBytes(edited));

        var error = await Assert.ThrowsAsync<ServingException>(() =>
            CreateRegistry().GetManifestAsync(Version() with { ManifestSha256 = Manifest.ComputeSha256() }, default));

        Assert.Equal(ServingErrorKind.IntegrityFailure, error.Kind);
        Assert.Contains("manifest bytes", error.Message);
    }

    [Fact]
    public async Task RegisterAsync_NewVersion_StoresTheMeasuredSessionBytes()
    {
        _table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>("churn", "v_1", It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Missing());
        TableEntity? added = null;
        _table.Setup(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>()))
            .Callback((TableEntity e, CancellationToken _) => added = e)
            .ReturnsAsync(Mock.Of<Response>());
        var model = ReferenceModels.Mlp(inputs: 32, hidden1: 64, hidden2: 64);

        var result = await CreateRegistry().RegisterAsync("churn", "1", model, null, default);

        Assert.NotNull(added);
        Assert.Equal(result.Version.SessionBytes, added.GetInt64(RegistryEntities.SessionBytesProperty));
        Assert.InRange(result.Version.SessionBytes!.Value, ((32 * 64) + (64 * 64) + 64) * 4L, model.Length * 2L);
    }

    [Fact]
    public void VersionEntity_WrittenBeforeSessionBytesExisted_ReadsWithTheFileSizeAsItsLoadedBytes()
    {
        var entity = RegistryEntities.ToEntity(Version());
        entity.Remove(RegistryEntities.SessionBytesProperty);

        var version = RegistryEntities.ToVersion(entity);

        Assert.Null(version.SessionBytes);
        Assert.Equal(ModelBytes.Length, version.LoadedBytes);
        Assert.Equal(12345, RegistryEntities.ToVersion(RegistryEntities.ToEntity(Version() with { SessionBytes = 12345 })).LoadedBytes);
    }

    private ModelRegistry CreateRegistry() => new(_container.Object, _table.Object, new OnnxModelInspector(), TimeProvider.System);

    private void StoredBlob(byte[] bytes) =>
        _blob.Setup(b => b.DownloadContentAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(BlobsModelFactory.BlobDownloadResult(content: BinaryData.FromBytes(bytes)), Mock.Of<Response>()));

    private static ModelVersion Version()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(ModelBytes));
        return new ModelVersion("churn", "1", sha, ModelBytes.Length, DateTimeOffset.UnixEpoch, null, [], [], $"churn/1/{sha}/model.onnx");
    }

    private static NullableResponse<TableEntity> Missing()
    {
        var missing = new Mock<NullableResponse<TableEntity>>();
        missing.SetupGet(r => r.HasValue).Returns(false);
        return missing.Object;
    }
}
