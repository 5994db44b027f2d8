using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Tests.Support;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Serving;

public sealed class TabularModelLeaserTests
{
    [Fact]
    public async Task LeaseAsync_PinnedVersion_CarriesTheVersionSessionAndBoundManifest()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features: 2));
        var (leaser, version, _) = Leaser(model);

        using var lease = await leaser.LeaseAsync(TestModel.Name, TestModel.VersionName, CancellationToken.None);
        var batch = lease.Tabular.CreateBatch();
        batch.AddRecordsJson("""{"instances": [{"f0": 1, "f1": 2}, {"f0": -1, "f1": 0}]}"""u8);

        Assert.Equal(version, lease.Version);
        Assert.Same(model.Model, lease.Model);
        Assert.Equal(TabularTask.Binary, lease.Manifest.Task);
        Assert.Equal(2, lease.Predict(batch).Length);
    }

    [Fact]
    public async Task Dispose_ModelEvictedWhileLeased_SessionLivesUntilTheLeaseIsDisposedOnce()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features: 2));
        var (leaser, version, _) = Leaser(model);
        var lease = await leaser.LeaseAsync(version, CancellationToken.None);

        model.Model.Evict();
        var aliveWhileLeased = !model.Model.IsDisposed;
        lease.Dispose();
        lease.Dispose();

        Assert.True(aliveWhileLeased);
        Assert.True(model.Model.IsDisposed);
    }

    [Fact]
    public async Task LeaseAsync_ManifestDoesNotFitTheModel_IsBadRequestAndReleasesTheSession()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features: 2));
        var wrong = TabularTestModel.Manifest(ReferenceManifests.LogisticRegression(features: 3));
        var (leaser, version, registry) = Leaser(model, wrong);

        await Assert.ThrowsAsync<Core.Errors.ServingException>(() => leaser.LeaseAsync(version, CancellationToken.None).AsTask());
        model.Model.Evict();

        Assert.True(model.Model.IsDisposed);
        registry.Verify(r => r.GetManifestAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    private static (TabularModelLeaser Leaser, ModelVersion Version, Mock<IModelRegistry> Registry) Leaser(TestModel model, ModelManifest? manifest = null)
    {
        manifest ??= TabularTestModel.Manifest(ReferenceManifests.LogisticRegression(features: 2));
        var version = model.Model.Version with { ManifestSha256 = manifest.ComputeSha256() };
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.GetVersionAsync(TestModel.Name, TestModel.VersionName, It.IsAny<CancellationToken>())).ReturnsAsync(version);
        registry.Setup(r => r.GetManifestAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>())).ReturnsAsync(manifest);
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>())).ReturnsAsync(model.Model);
        var options = Options.Create(new ServingOptions { ResolutionCacheSeconds = 0 });
        var sessions = new ModelSessionCache(loader.Object, options, TimeProvider.System, NullLogger<ModelSessionCache>.Instance);
        return (new TabularModelLeaser(new ModelResolver(registry.Object, options, TimeProvider.System), sessions, registry.Object), version, registry);
    }
}
