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

    [Fact]
    public async Task ResolveAsync_AfterFreshnessExpires_AnswersFromCacheAndRefreshesInTheBackground()
    {
        SetupVersions("churn", "1");
        var clock = new ManualClock();
        var resolver = CreateResolver(cacheSeconds: 5, clock);
        await resolver.ResolveAsync("churn", "1", default);

        clock.Advance(TimeSpan.FromSeconds(6));
        var stale = resolver.ResolveAsync("churn", "1", default);

        Assert.True(stale.IsCompletedSuccessfully, "a stale answer should be served without waiting for storage");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_registry.Invocations.Count(i => i.Method.Name == nameof(IModelRegistry.GetVersionAsync)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        _registry.Verify(r => r.GetVersionAsync("churn", "1", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task ResolveAsync_BeyondMaximumStaleness_WaitsForTheRegistry()
    {
        SetupVersions("churn", "1");
        var clock = new ManualClock();
        var resolver = CreateResolver(cacheSeconds: 5, clock);
        await resolver.ResolveAsync("churn", "1", default);

        clock.Advance(ModelResolver.MaxStaleness + TimeSpan.FromSeconds(10));
        await resolver.ResolveAsync("churn", "1", default);

        _registry.Verify(r => r.GetVersionAsync("churn", "1", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    private ModelResolver CreateResolver(int cacheSeconds = 5, TimeProvider? clock = null) =>
        new(_registry.Object, Options.Create(new ServingOptions { ResolutionCacheSeconds = cacheSeconds }), clock ?? TimeProvider.System);

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

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
