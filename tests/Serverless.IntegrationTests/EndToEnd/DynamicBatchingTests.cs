using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Serving.Batching;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Dynamic batching through the runner (<c>Batching:Models:batched-e2e</c>, 8 rows, 2 ms delay): concurrent requests to the
/// batched model answer exactly what the same model answers unbatched, and a malformed request among them is a 400 of its own;
/// the same for the records API (<c>/predict</c>) on a version with a manifest.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class DynamicBatchingTests
{
    private readonly StackFixture _stack;

    public DynamicBatchingTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task ConcurrentRequests_ToABatchedModel_AnswerExactlyAsUnbatched_AndABadOneFailsAlone()
    {
        var onnx = ReferenceModels.Mlp(inputs: 4, hidden1: 8, hidden2: 8, outputs: 2);
        foreach (var name in new[] { StackFixture.BatchedModel, "unbatched-e2e" })
        {
            var put = await _stack.Client.PutBytesAsync($"models/{name}/versions/1", onnx);
            Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {put.Status} {put.Body}");
        }

        var bodies = Enumerable.Range(0, 24).Select(i => Body(i, i % 3 + 1)).ToList();
        bodies.Insert(5, """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[1,2,3]}]}""");
        var expected = await Task.WhenAll(bodies.Select(b => _stack.Client.PostJsonAsync("v2/models/unbatched-e2e/versions/1/infer", b)));

        var batched = await Task.WhenAll(bodies.Select(b => _stack.Client.PostJsonAsync($"v2/models/{StackFixture.BatchedModel}/versions/1/infer", b)));

        Assert.Equal(HttpStatusCode.BadRequest, batched[5].Status);
        Assert.Contains("input", batched[5].Error);
        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.Equal(expected[i].Status, batched[i].Status);
            if (i != 5)
            {
                Assert.Equal(HttpStatusCode.OK, batched[i].Status);
                Assert.Equal(expected[i].Json.GetProperty("outputs").GetRawText(), batched[i].Json.GetProperty("outputs").GetRawText());
            }
        }
    }

    [Fact]
    public async Task ConcurrentRecordsRequests_ToABatchedVersion_ShareRuns_AnswerExactlyAsUnbatched_AndABadOneFailsAlone()
    {
        var onnx = ReferenceModels.LogisticRegression(features: 4, seed: 5);
        foreach (var name in new[] { StackFixture.BatchedModel, "unbatched-e2e" })
        {
            var put = await _stack.Client.PutBytesAsync($"models/{name}/versions/2", onnx);
            Assert.True(put.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {put.Status} {put.Body}");
            var manifest = await _stack.Client.PutJsonAsync($"models/{name}/versions/2/manifest", ReferenceManifests.LogisticRegression(features: 4));
            Assert.True(manifest.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"manifest failed: {manifest.Status} {manifest.Body}");
        }

        var bodies = Enumerable.Range(0, 24).Select(i => Records(i, i % 3 + 1)).ToList();
        bodies.Insert(5, """{"instances":[{"f0":1,"f1":2,"f2":3,"f3":4},{"f0":1,"f1":2,"f2":3,"f3":"four"}]}""");
        var expected = await Task.WhenAll(bodies.Select(b => _stack.Client.PostJsonAsync("models/unbatched-e2e/versions/2/predict", b)));
        var alone = await _stack.Client.PostJsonAsync($"models/{StackFixture.BatchedModel}/versions/2/predict", bodies[0]);
        var batcher = await BatcherAsync(StackFixture.BatchedModel, "2");
        var before = batcher.Counts;

        var batched = await Task.WhenAll(bodies.Select(b => _stack.Client.PostJsonAsync($"models/{StackFixture.BatchedModel}/versions/2/predict", b)));

        Assert.Equal(HttpStatusCode.BadRequest, batched[5].Status);
        Assert.Contains("row 1", batched[5].Error);
        Assert.Contains("f3", batched[5].Error);
        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.Equal(expected[i].Status, batched[i].Status);
            if (i != 5)
            {
                Assert.Equal(HttpStatusCode.OK, batched[i].Status);
                Assert.Equal(expected[i].Json.GetProperty("predictions").GetRawText(), batched[i].Json.GetProperty("predictions").GetRawText());
            }
        }

        Assert.Equal(alone.Json.GetRawText(), batched[0].Json.GetRawText());
        Assert.Equal(bodies.Count - 1, batcher.Counts.Requests - before.Requests);
    }

    private async Task<DynamicBatcher> BatcherAsync(string name, string version)
    {
        var resolved = await _stack.Host.Services.GetRequiredService<IModelRegistry>().GetVersionAsync(name, version, CancellationToken.None);
        var loaded = _stack.Host.Services.GetRequiredService<ModelSessionCache>().TryGetLoaded(resolved!);
        return loaded?.Batcher ?? throw new InvalidOperationException($"{name} version {version} is not loaded with a batcher.");
    }

    private static string Records(int seed, int rows)
    {
        var random = new Random(seed);
        var instances = Enumerable.Range(0, rows).Select(_ => "{" + string.Join(",", Enumerable.Range(0, 4).Select(f =>
            $"\"f{f}\":{(random.NextSingle() * 6 - 3).ToString("R", CultureInfo.InvariantCulture)}")) + "}");
        return $$"""{"instances":[{{string.Join(",", instances)}}]}""";
    }

    private static string Body(int seed, int rows)
    {
        var random = new Random(seed);
        var data = string.Join(",", Enumerable.Range(0, rows * 4).Select(_ => random.NextSingle().ToString("R", CultureInfo.InvariantCulture)));
        return $$"""{"id":"r{{seed}}","inputs":[{"name":"input","datatype":"FP32","shape":[{{rows}},4],"data":[{{data}}]}]}""";
    }
}
