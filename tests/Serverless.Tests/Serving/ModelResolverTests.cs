using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;

namespace Serverless.Tests.Serving;

public sealed class ModelResolverTests
{
    private readonly Mock<IModelRegistry> _registry = new();

    [Fact]
    public async Task ResolveAsync_NoVersion_ServesTheProductionAlias()
    {
        SetupVersions("churn", "1", "2", "3");
        _registry.Setup(r => r.GetAliasAsync("churn", "production", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ModelAlias("churn", "production", "2", DateTimeOffset.UnixEpoch, "etag"));

        var resolved = await CreateResolver().ResolveAsync("churn", null, default);

        Assert.Equal("2", resolved.Version);
    }

    [Fact]
    public async Task ResolveAsync_NoVersionAndNoAlias_ServesTheLatestVersion()
    {
        SetupVersions("churn", "2", "10");

        var resolved = await CreateResolver().ResolveAsync("churn", null, default);

        Assert.Equal("10", resolved.Version);
    }

    [Fact]
    public async Task ResolveAsync_UnknownModelOrVersion_ThrowsNotFound()
    {
        SetupVersions("churn", "1");
        var resolver = CreateResolver();

        var model = await Assert.ThrowsAsync<ServingException>(() => resolver.ResolveAsync("nobody", null, default).AsTask());
        var version = await Assert.ThrowsAsync<ServingException>(() => resolver.ResolveAsync("churn", "9", default).AsTask());

        Assert.Equal(ServingErrorKind.NotFound, model.Kind);
        Assert.Equal(ServingErrorKind.NotFound, version.Kind);
        Assert.Contains("'9'", version.Message);
    }

    [Fact]
    public async Task ResolveAsync_WithinTheCacheWindow_AsksTheRegistryOnceUntilTheModelChanges()
    {
        SetupVersions("churn", "1");
        var resolver = CreateResolver(cacheSeconds: 60);

        await resolver.ResolveAsync("churn", "1", default);
        await resolver.ResolveAsync("churn", "1", default);
        _registry.Verify(r => r.GetVersionAsync("churn", "1", It.IsAny<CancellationToken>()), Times.Once);

        _registry.Raise(r => r.ModelChanged += null, "churn");
        await resolver.ResolveAsync("churn", "1", default);

        _registry.Verify(r => r.GetVersionAsync("churn", "1", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task ResolveAsync_CacheDisabled_AsksTheRegistryEveryTime()
    {
        SetupVersions("churn", "1");
        var resolver = CreateResolver(cacheSeconds: 0);

        await resolver.ResolveAsync("churn", "1", default);
        await resolver.ResolveAsync("churn", "1", default);

        _registry.Verify(r => r.GetVersionAsync("churn", "1", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    private ModelResolver CreateResolver(int cacheSeconds = 5) =>
        new(_registry.Object, Options.Create(new ServingOptions { ResolutionCacheSeconds = cacheSeconds }), TimeProvider.System);

    private void SetupVersions(string name, params string[] versions)
    {
        var all = versions.Select(v => new ModelVersion(name, v, "sha" + v, 1, DateTimeOffset.UnixEpoch, null, [], [], $"{name}/{v}")).ToList();
        _registry.Setup(r => r.ListVersionsAsync(name, It.IsAny<CancellationToken>())).ReturnsAsync(all);
        _registry.Setup(r => r.ListVersionsAsync(It.Is<string>(n => n != name), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        foreach (var version in all)
        {
            _registry.Setup(r => r.GetVersionAsync(name, version.Version, It.IsAny<CancellationToken>())).ReturnsAsync(version);
        }
    }
}
