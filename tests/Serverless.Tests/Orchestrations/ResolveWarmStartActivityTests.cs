using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Moq;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Training;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Orchestrations;

/// <summary>
/// A warm start is found from the registry's lineage only: a version that does not exist or that no sweep registered (an upload)
/// is no source, with the reason in words, and the experiment store and trial storage are never asked.
/// </summary>
public sealed class ResolveWarmStartActivityTests
{
    [Theory]
    [InlineData(null, "version 3 of churn was not registered by a training sweep (uploaded, or made elsewhere)")]
    [InlineData("my hand-made model, sweep s1, trial t001 (lbfgs)", "version 3 of churn was not registered by a training sweep")]
    public async Task Resolve_VersionNoSweepRegistered_IsNoSourceSayingSo(string? description, string expected)
    {
        var source = await ResolveAsync(new ModelVersion("churn", "3", "abc", 10, DateTimeOffset.UnixEpoch, description, [], [], "churn/3/abc/model.onnx"));

        Assert.Null(source.Source);
        Assert.StartsWith(expected, source.Reason);
    }

    [Fact]
    public async Task Resolve_VersionThatDoesNotExist_IsNoSourceSayingSo()
    {
        var source = await ResolveAsync(null);

        Assert.Null(source.Source);
        Assert.Equal("version 3 of churn does not exist", source.Reason);
    }

    private static Task<WarmStartSource> ResolveAsync(ModelVersion? version)
    {
        var registry = new Mock<IModelRegistry>(MockBehavior.Strict);
        registry.Setup(r => r.GetVersionAsync("churn", "3", It.IsAny<CancellationToken>())).ReturnsAsync(version);
        // Never reached: a store or storage call would fail against these unreachable endpoints.
        var experiments = new ExperimentStore(new TableServiceClient(new Uri("http://127.0.0.1:1/devstoreaccount1"), new TableSharedKeyCredential("a", "YQ==")));
        var storage = new TrialStorage(new BlobServiceClient(new Uri("http://127.0.0.1:1/devstoreaccount1")));
        return new ResolveWarmStartActivity(registry.Object, experiments, storage).RunAsync(Mock.Of<TaskActivityContext>(), new WarmStartInput("churn", "3"));
    }
}
