using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Moq;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;
using Serverless.TestModels;

namespace Serverless.Tests.Serving;

public sealed class ModelSessionCacheTests
{
    private static readonly byte[] ModelBytes = ReferenceModels.AddAndMultiply();

    [Fact]
    public async Task AcquireAsync_ConcurrentFirstRequests_ShareOneLoad()
    {
        var release = new TaskCompletionSource();
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns(async (ModelVersion v, CancellationToken _) =>
            {
                await release.Task;
                return Load(v);
            });
        using var cache = CreateCache(loader.Object, new ServingOptions());
        var version = Version("a");

        var leases = Enumerable.Range(0, 8).Select(_ => cache.AcquireAsync(version, CancellationToken.None).AsTask()).ToList();
        release.SetResult();
        var acquired = await Task.WhenAll(leases);

        loader.Verify(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.All(acquired, lease => Assert.Same(acquired[0].Model, lease.Model));
        foreach (var lease in acquired)
        {
            lease.Dispose();
        }
    }

    [Fact]
    public async Task AcquireAsync_FailedLoad_AnswersTheSameErrorWithoutRetryingUntilThePeriodEnds()
    {
        var calls = 0;
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns((ModelVersion v, CancellationToken _) => ++calls == 1
                ? Task.FromException<LoadedModel>(ServingException.BadRequest("Model 'a' version '1' no longer loads in ONNX Runtime: broken"))
                : Task.FromResult(Load(v)));
        var clock = new ManualClock();
        using var cache = CreateCache(loader.Object, new ServingOptions { FailedLoadRetrySeconds = 30 }, clock);

        var errors = new List<ServingException>();
        for (var i = 0; i < 5; i++)
        {
            errors.Add(await Assert.ThrowsAsync<ServingException>(() => cache.AcquireAsync(Version("a"), CancellationToken.None).AsTask()));
            clock.Advance(TimeSpan.FromSeconds(5));
        }

        var callsWithinThePeriod = calls;
        clock.Advance(TimeSpan.FromSeconds(10));
        using var lease = await cache.AcquireAsync(Version("a"), CancellationToken.None);

        Assert.Equal(1, callsWithinThePeriod);
        Assert.All(errors, e => Assert.Equal("Model 'a' version '1' no longer loads in ONNX Runtime: broken", e.Message));
        Assert.Equal(2, calls);
        Assert.NotNull(cache.TryGetLoaded(Version("a")));
    }

    [Fact]
    public async Task AcquireAsync_FailedLoadWithRetryPeriodZero_RetriesOnTheNextRequest()
    {
        var calls = 0;
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns((ModelVersion v, CancellationToken _) => ++calls == 1
                ? Task.FromException<LoadedModel>(new InvalidOperationException("blob store down"))
                : Task.FromResult(Load(v)));
        using var cache = CreateCache(loader.Object, new ServingOptions { FailedLoadRetrySeconds = 0 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.AcquireAsync(Version("a"), CancellationToken.None).AsTask());
        using var lease = await cache.AcquireAsync(Version("a"), CancellationToken.None);

        Assert.Equal(2, calls);
        Assert.NotNull(cache.TryGetLoaded(Version("a")));
    }

    [Fact]
    public async Task AcquireAsync_TransientFailure_IsNotRemembered_TheNextRequestRetries()
    {
        var calls = 0;
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns((ModelVersion v, CancellationToken _) => ++calls == 1
                ? Task.FromException<LoadedModel>(new Azure.RequestFailedException(503, "storage is down"))
                : Task.FromResult(Load(v)));
        using var cache = CreateCache(loader.Object, new ServingOptions { FailedLoadRetrySeconds = 30 }, new ManualClock());

        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => cache.AcquireAsync(Version("a"), CancellationToken.None).AsTask());
        using var lease = await cache.AcquireAsync(Version("a"), CancellationToken.None);

        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task AcquireAsync_FailedLoadOfOneVersion_DoesNotBlockAnother()
    {
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns((ModelVersion v, CancellationToken _) => v.Name == "broken"
                ? Task.FromException<LoadedModel>(ServingException.BadRequest("broken"))
                : Task.FromResult(Load(v)));
        using var cache = CreateCache(loader.Object, new ServingOptions());

        await Assert.ThrowsAsync<ServingException>(() => cache.AcquireAsync(Version("broken"), CancellationToken.None).AsTask());
        using var lease = await cache.AcquireAsync(Version("fine"), CancellationToken.None);

        Assert.Single(cache.Snapshot());
        Assert.Null(cache.TryGetLoaded(Version("broken")));
    }

    [Fact]
    public async Task AcquireAsync_OverSessionBudget_EvictsTheLeastRecentlyUsed()
    {
        using var cache = CreateCache(LoaderOf(Load), new ServingOptions { MaxLoadedSessions = 2 });

        (await cache.AcquireAsync(Version("a"), default)).Dispose();
        (await cache.AcquireAsync(Version("b"), default)).Dispose();
        (await cache.AcquireAsync(Version("a"), default)).Dispose();
        (await cache.AcquireAsync(Version("c"), default)).Dispose();

        Assert.NotNull(cache.TryGetLoaded(Version("a")));
        Assert.Null(cache.TryGetLoaded(Version("b")));
        Assert.NotNull(cache.TryGetLoaded(Version("c")));
    }

    [Fact]
    public async Task AcquireAsync_OverByteBudget_EvictsUntilUnderIt()
    {
        var options = new ServingOptions { MaxLoadedBytes = ModelBytes.Length * 2L };
        using var cache = CreateCache(LoaderOf(Load), options);

        foreach (var name in new[] { "a", "b", "c" })
        {
            (await cache.AcquireAsync(Version(name), default)).Dispose();
        }

        Assert.Equal(2, cache.Snapshot().Count);
        Assert.Null(cache.TryGetLoaded(Version("a")));
    }

    [Fact]
    public async Task AcquireAsync_MeasuredSessionBytes_CountInsteadOfTheFileSize()
    {
        // By file size all three fit; by their measured sessions only one does.
        var options = new ServingOptions { MaxLoadedBytes = ModelBytes.Length * 3L };
        using var cache = CreateCache(LoaderOf(Load), options);

        foreach (var name in new[] { "a", "b", "c" })
        {
            (await cache.AcquireAsync(Version(name) with { SessionBytes = ModelBytes.Length * 2L }, default)).Dispose();
        }

        Assert.Single(cache.Snapshot());
        Assert.NotNull(cache.TryGetLoaded(Version("c")));
    }

    [Fact]
    public async Task Eviction_WhileLeased_KeepsTheSessionUsableUntilTheLeaseEnds()
    {
        using var cache = CreateCache(LoaderOf(Load), new ServingOptions { MaxLoadedSessions = 1 });
        var held = await cache.AcquireAsync(Version("a"), default);

        (await cache.AcquireAsync(Version("b"), default)).Dispose();
        var stillRuns = RunsOnce(held.Model);
        var disposedWhileLeased = held.Model.IsDisposed;
        held.Dispose();

        Assert.Null(cache.TryGetLoaded(Version("a")));
        Assert.True(stillRuns);
        Assert.False(disposedWhileLeased);
        Assert.True(held.Model.IsDisposed);
    }

    [Fact]
    public async Task AcquireAsync_SameNameAndVersionWithNewBytes_LoadsASeparateSession()
    {
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns((ModelVersion v, CancellationToken _) => Task.FromResult(Load(v)));
        using var cache = CreateCache(loader.Object, new ServingOptions());

        using var first = await cache.AcquireAsync(Version("a", sha: "one"), default);
        using var second = await cache.AcquireAsync(Version("a", sha: "two"), default);

        Assert.NotSame(first.Model, second.Model);
        loader.Verify(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    private static bool RunsOnce(LoadedModel model)
    {
        using var response = new PooledBufferWriter();
        InferenceService.Infer(model, WarmupRequest.CreateJson(model), response);
        using var document = System.Text.Json.JsonDocument.Parse(response.WrittenMemory);
        return document.RootElement.GetProperty("outputs").GetArrayLength() == 2;
    }

    private static ModelSessionCache CreateCache(IModelLoader loader, ServingOptions options, TimeProvider? clock = null) =>
        new(loader, Options.Create(options), clock ?? TimeProvider.System, NullLogger<ModelSessionCache>.Instance);

    private static IModelLoader LoaderOf(Func<ModelVersion, LoadedModel> load)
    {
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns((ModelVersion v, CancellationToken _) => Task.FromResult(load(v)));
        return loader.Object;
    }

    private static ModelVersion Version(string name, string sha = "sha") =>
        new(name, "1", sha, ModelBytes.Length, DateTimeOffset.UnixEpoch, null, [], [], $"{name}/1/{sha}/model.onnx");

    private static LoadedModel Load(ModelVersion version)
    {
        var session = new InferenceSession(ModelBytes);
        var signature = SignatureReader.Read(session);
        return new LoadedModel(version with { Inputs = signature.Inputs, Outputs = signature.Outputs }, session,
            new ColdStartTimings(0, 0, 0, DateTimeOffset.UnixEpoch));
    }

    /// <summary>A clock that moves only when told to (timestamps in ticks).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(GetTimestamp());

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
