using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Serving.Batching;
using Serverless.TestModels;

namespace Serverless.Tests.Serving;

public sealed class ModelLoaderTests
{
    private readonly Mock<IModelRegistry> _registry = new();
    private readonly ListLogger _log = new();

    [Fact]
    public async Task LoadAsync_WarmupOverTheBudget_LoadsWithoutWarmingAndSaysSo()
    {
        var version = Serve(HostileModels.FixedInput(2000, 1000));

        var model = await CreateLoader(new ServingOptions { MaxWarmupElements = 1_000_000 }).LoadAsync(version, default);

        Assert.Equal(2, model.Inputs[0].Dimensions.Length);
        Assert.Contains(_log.Messages, m => m.Contains("is not warmed") && m.Contains("2000000") && m.Contains(ModelBudgets.WarmupElementsSetting));
        model.Evict();
    }

    [Fact]
    public async Task LoadAsync_WarmupWithinTheBudget_Warms()
    {
        var version = Serve(HostileModels.FixedInput(2000, 1000));

        var model = await CreateLoader(new ServingOptions { MaxWarmupElements = 2_000_000 }).LoadAsync(version, default);

        Assert.DoesNotContain(_log.Messages, m => m.Contains("is not warmed"));
        model.Evict();
    }

    [Fact]
    public async Task LoadAsync_ModelOnnxRuntimeRefuses_IsBadRequestWithoutTheServersPaths()
    {
        // Only a version registered before the scan existed could hold such bytes.
        var version = Serve(HostileModels.ExternalInitializer());

        var error = await Assert.ThrowsAsync<ServingException>(() => CreateLoader(new ServingOptions()).LoadAsync(version, default));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("no longer loads in ONNX Runtime", error.Message);
        Assert.Contains("External data", error.Message);
        Assert.DoesNotContain(OnnxSessionSafety.ExternalDataFolder, error.Message);
        Assert.DoesNotContain(".cc:", error.Message);
    }

    [Fact]
    public async Task LoadAsync_ModelNamedForBatching_GetsABatcher_OthersDoNot()
    {
        var version = Serve(ReferenceModels.LogisticRegression());
        var batching = new BatchingOptions { Models = { ["m"] = new ModelBatching { MaxBatchSize = 16 } } };

        var batched = await CreateLoader(new ServingOptions(), batching).LoadAsync(version, default);
        var plain = await CreateLoader(new ServingOptions()).LoadAsync(version, default);

        Assert.NotNull(batched.Batcher);
        Assert.Null(plain.Batcher);
        batched.Evict();
        plain.Evict();
    }

    private ModelVersion Serve(byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var version = new ModelVersion("m", "1", sha, bytes.Length, DateTimeOffset.UnixEpoch, null, [], [], $"m/1/{sha}/model.onnx");
        _registry.Setup(r => r.DownloadAsync(version, It.IsAny<CancellationToken>())).ReturnsAsync(bytes);
        return version;
    }

    private ModelLoader CreateLoader(ServingOptions options, BatchingOptions? batching = null) =>
        new(_registry.Object, new SessionOptionsFactory(Options.Create(options)), Options.Create(options), Options.Create(batching ?? new BatchingOptions()),
            TimeProvider.System, _log);

    private sealed class ListLogger : ILogger<ModelLoader>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
