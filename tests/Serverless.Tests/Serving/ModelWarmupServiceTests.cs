using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Serving.Batching;
using Serverless.TestModels;

namespace Serverless.Tests.Serving;

public sealed class ModelWarmupServiceTests
{
    [Fact]
    public async Task StartUp_AliasedVersionWhoseWarmupWouldHoldBillionsOfElements_LoadsItUnwarmedAndTurnsReady()
    {
        // Registered before registration measured warm-ups: a fixed [60000, 60000] input, 3.6 billion elements.
        var bytes = HostileModels.FixedInput(60_000, 60_000);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var version = new ModelVersion("huge", "1", sha, bytes.Length, DateTimeOffset.UnixEpoch, null,
            [new TensorSpec("x", "FP32", [60_000, 60_000])], [new TensorSpec("y", "FP32", [60_000, 60_000])], $"huge/1/{sha}/model.onnx");
        var alias = new ModelAlias("huge", "production", "1", DateTimeOffset.UnixEpoch, "etag");
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.ListAliasesAsync(null, It.IsAny<CancellationToken>())).ReturnsAsync([alias]);
        registry.Setup(r => r.GetAliasAsync("huge", "production", It.IsAny<CancellationToken>())).ReturnsAsync(alias);
        registry.Setup(r => r.GetVersionAsync("huge", "1", It.IsAny<CancellationToken>())).ReturnsAsync(version);
        registry.Setup(r => r.DownloadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>())).ReturnsAsync(bytes);
        var options = Options.Create(new ServingOptions());
        var loader = new ModelLoader(registry.Object, new SessionOptionsFactory(options), options, Options.Create(new BatchingOptions()), TimeProvider.System, NullLogger<ModelLoader>.Instance);
        using var sessions = new ModelSessionCache(loader, options, TimeProvider.System, NullLogger<ModelSessionCache>.Instance);
        var readiness = new ServingReadiness();
        var resolver = new ModelResolver(registry.Object, options, TimeProvider.System);
        using var warmup = new ModelWarmupService(registry.Object, resolver, sessions, Graphs(registry, resolver, sessions), readiness, options,
            NullLogger<ModelWarmupService>.Instance);

        await warmup.StartAsync(CancellationToken.None);
        await readiness.WhenCompleted(ServingReadiness.ModelsGate).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(readiness.IsReady);
        Assert.NotNull(sessions.TryGetLoaded(version));
    }

    [Fact]
    public async Task StartUp_AliasedGraph_LoadsTheMembersItResolvesTo()
    {
        var bytes = GraphModels.Scale(2);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var member = new ModelVersion("scale", "1", sha, bytes.Length, DateTimeOffset.UnixEpoch, null,
            [new TensorSpec("x", "FP32", [-1, 2])], [new TensorSpec("y", "FP32", [-1, 2])], $"scale/1/{sha}/model.onnx");
        var spec = """{"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 2]}], "root": {"name": "only", "model": "scale:production"}}"""u8.ToArray();
        var graph = new ModelVersion("pipeline", "1", "graph-sha", spec.Length, DateTimeOffset.UnixEpoch, null, member.Inputs, member.Outputs, "pipeline/1/graph.json")
        {
            IsGraph = true,
        };
        var graphAlias = new ModelAlias("pipeline", "production", "1", DateTimeOffset.UnixEpoch, "etag");
        var memberAlias = new ModelAlias("scale", "production", "1", DateTimeOffset.UnixEpoch, "etag");
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.ListAliasesAsync(null, It.IsAny<CancellationToken>())).ReturnsAsync([graphAlias]);
        registry.Setup(r => r.GetAliasAsync("pipeline", "production", It.IsAny<CancellationToken>())).ReturnsAsync(graphAlias);
        registry.Setup(r => r.GetAliasAsync("scale", "production", It.IsAny<CancellationToken>())).ReturnsAsync(memberAlias);
        registry.Setup(r => r.GetVersionAsync("pipeline", "1", It.IsAny<CancellationToken>())).ReturnsAsync(graph);
        registry.Setup(r => r.GetVersionAsync("scale", "1", It.IsAny<CancellationToken>())).ReturnsAsync(member);
        registry.Setup(r => r.DownloadAsync(graph, It.IsAny<CancellationToken>())).ReturnsAsync(spec);
        registry.Setup(r => r.DownloadAsync(member, It.IsAny<CancellationToken>())).ReturnsAsync(bytes);
        var options = Options.Create(new ServingOptions());
        var loader = new ModelLoader(registry.Object, new SessionOptionsFactory(options), options, Options.Create(new BatchingOptions()), TimeProvider.System, NullLogger<ModelLoader>.Instance);
        using var sessions = new ModelSessionCache(loader, options, TimeProvider.System, NullLogger<ModelSessionCache>.Instance);
        var readiness = new ServingReadiness();
        var resolver = new ModelResolver(registry.Object, options, TimeProvider.System);
        using var warmup = new ModelWarmupService(registry.Object, resolver, sessions, Graphs(registry, resolver, sessions), readiness, options,
            NullLogger<ModelWarmupService>.Instance);

        await warmup.StartAsync(CancellationToken.None);
        await readiness.WhenCompleted(ServingReadiness.ModelsGate).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(readiness.IsReady);
        Assert.NotNull(sessions.TryGetLoaded(member));
    }

    private static GraphService Graphs(Mock<IModelRegistry> registry, ModelResolver resolver, ModelSessionCache sessions)
    {
        var logOptions = Options.Create(new InferenceLogOptions());
        return new GraphService(registry.Object, resolver, new GraphExecutor(sessions), new InferenceLogger(logOptions, new InferenceLogBuffer(logOptions), TimeProvider.System),
            new GraphManifests(registry.Object));
    }
}
