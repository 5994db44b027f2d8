using System.Net;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.LocalRunner;

/// <summary>
/// The runner's start-up warm-up covers every serving route of an aliased model (OIP infer as JSON on both routes and with
/// binary tensors, the records API where the version has a manifest, metadata and readiness), and each of its synthetic
/// requests is one the route answers with 200, so warming runs the whole path rather than an error's.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class PipelineWarmupTests
{
    private readonly StackFixture _stack;

    public PipelineWarmupTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task WarmupCalls_OfAnAliasedTabularModel_CoverEveryServingRoute_AndEachIsAnsweredOk()
    {
        const string model = "warmup-routes";
        Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.LogisticRegression(features: 3))).Status);
        var manifest = ReferenceManifests.LogisticRegression(features: 3).Replace("""{"name":"f1","type":"numeric"}""", """{"name":"f1","type":"numeric","min":2.5,"max":9}""");
        Assert.True((await _stack.Client.PutJsonAsync($"models/{model}/versions/1/manifest", manifest)).Status is HttpStatusCode.Created or HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await _stack.Client.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1"}""")).Status);

        var (hot, once, _) = await WarmupCall.ForAliasedModelsAsync(_stack.Host.Services, CancellationToken.None);

        var mine = hot.Where(c => c.Path.Contains($"/{model}/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [($"v2/models/{model}/infer", -1), ($"v2/models/{model}/versions/1/infer", -1), ($"v2/models/{model}/infer", mine[2].HeaderLength), ($"models/{model}/predict", -1)],
            mine.Select(c => (c.Path, c.HeaderLength)));
        Assert.True(mine[2].HeaderLength > 0);
        Assert.Contains(once, c => c.Path == $"v2/models/{model}");
        Assert.Contains(once, c => c.Path == $"v2/models/{model}/ready");
        Assert.Contains(once, c => c.Path == "v2/health/ready");
        foreach (var call in mine.Concat(once.Where(c => !c.Path.StartsWith("v2/models/", StringComparison.Ordinal) || c.Path.Contains($"/{model}", StringComparison.Ordinal))))
        {
            Assert.Equal((call.Path, HttpStatusCode.OK), (call.Path, await call.SendAsync(_stack.Client, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task WarmupCalls_OfAnAliasedGraphItsMembersManifestsMap_IncludeTheRecordsApi_AnsweredOk()
    {
        const string member = "warmup-member";
        const string graph = "warmup-graph";
        Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutBytesAsync($"models/{member}/versions/1", ReferenceModels.LogisticRegression(features: 3))).Status);
        Assert.True((await _stack.Client.PutJsonAsync($"models/{member}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 3))).Status is HttpStatusCode.Created or HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutJsonAsync($"graphs/{graph}/versions/1", $$$"""
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3]}], "root": {"name": "seq", "kind": "sequence", "steps": [
              {"name": "only", "model": "{{{member}}}@1"}, {"name": "band", "kind": "code", "step": "confidence_band"}]}}
            """)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _stack.Client.PutJsonAsync($"models/{graph}/aliases/production", """{"version": "1"}""")).Status);

        var (hot, _, _) = await WarmupCall.ForAliasedModelsAsync(_stack.Host.Services, CancellationToken.None);

        var records = Assert.Single(hot, c => c.Path == $"models/{graph}/predict");
        Assert.Equal(HttpStatusCode.OK, await records.SendAsync(_stack.Client, CancellationToken.None));
    }
}
