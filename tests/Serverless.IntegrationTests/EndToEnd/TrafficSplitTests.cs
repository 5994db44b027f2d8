using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Traffic splits on aliases: stored on Azurite with their history, and over the runner a 90/10 split serves within binomial
/// bounds (5.5 standard deviations: a miss has probability about 4e-8, so no fixed seed is needed), a routing key sticks to
/// one version, versioned routes bypass the split, a version that cannot load refuses the split, and rollback restores it.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TrafficSplitTests
{
    private readonly StackFixture _stack;

    public TrafficSplitTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Split_OnStorage_RoundTripsWithItsRoutingKey_AndItsMoveRecordsBothStates()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var registry = new ModelRegistry(new BlobContainerClient(_stack.ConnectionString, "models-" + suffix),
            new TableClient(_stack.ConnectionString, "splits" + suffix), new OnnxModelInspector(), TimeProvider.System);
        await registry.RegisterAsync("split", "1", ReferenceModels.LogisticRegression(features: 3, seed: 1), null, default);
        await registry.RegisterAsync("split", "2", ReferenceModels.LogisticRegression(features: 3, seed: 2), null, default);
        var split = AliasTrafficRules.Create([new("2", 25), new("1", 75)], "X-User-Id");

        await registry.SetAliasAsync("split", "production", "1", null, AliasMoveNote.Unknown, default);
        await registry.SetAliasAsync("split", "production", split, null, new AliasMoveNote("alice", "canary"), default);
        var stored = await registry.GetAliasAsync("split", "production", default);
        var listed = Assert.Single(await registry.ListAliasesAsync("split", default));
        var move = (await registry.GetAliasHistoryAsync("split", "production", 1, default)).Moves[0];
        var deleteError = await Assert.ThrowsAsync<Core.Errors.ServingException>(() => registry.DeleteVersionAsync("split", "2", default));

        Assert.Equal(split, stored!.Traffic);
        Assert.Equal("x-user-id", stored.Traffic.RoutingKey);
        Assert.Equal("1", stored.Version);
        Assert.Equal(split, listed.Traffic);
        Assert.Equal((AliasTraffic.Single("1"), split, "1", "1"), (move.FromTraffic, move.ToTraffic, move.FromVersion, move.ToVersion));
        Assert.Equal(Core.Errors.ServingErrorKind.Conflict, deleteError.Kind);
    }

    [Fact]
    public async Task OverTheRunner_90To10Split_ServesWithinBinomialBounds_KeysStick_VersionedRoutesBypass()
    {
        const string name = "split-e2e";
        await RegisterAsync(name, "1", 1);
        await RegisterAsync(name, "2", 2);
        var set = await Client.PutJsonAsync($"models/{name}/aliases/production",
            """{"traffic": {"1": 90, "2": 10}, "routing_key": "x-user-id", "reason": "canary"}""");
        var alias = await Client.GetJsonAsync($"models/{name}/aliases/production");

        const int requests = 2000;
        var served = await InferManyAsync($"v2/models/{name}/infer", requests, _ => null);
        var keyed = await InferManyAsync($"v2/models/{name}/infer", 300, i => $"user-{i % 100}");
        var pinned = await InferManyAsync($"v2/models/{name}/versions/2/infer", 50, i => $"user-{i}");

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("1", alias.Json.GetProperty("version").GetString());
        Assert.Equal("x-user-id", alias.Json.GetProperty("routing_key").GetString());
        Assert.Equal("""{"1":90,"2":10}""", alias.Json.GetProperty("traffic").GetRawText());
        var toV2 = served.Count(v => v.Version == "2");
        var sd = Math.Sqrt(requests * 0.1 * 0.9);
        Assert.InRange(toV2, (requests * 0.1) - (5.5 * sd), (requests * 0.1) + (5.5 * sd));
        Assert.Equal(requests, served.Count(v => v.Version is "1" or "2"));
        Assert.All(keyed.GroupBy(v => v.Key), g => Assert.Single(g.Select(v => v.Version).Distinct()));
        Assert.All(pinned, v => Assert.Equal("2", v.Version));
    }

    [Fact]
    public async Task OverTheRunner_SplitThenSet_RollbackRestoresTheSplit_AndHistoryShowsIt()
    {
        const string name = "split-rollback-e2e";
        await RegisterAsync(name, "1", 1);
        await RegisterAsync(name, "2", 2);
        await Client.PutJsonAsync($"models/{name}/aliases/production", """{"version": "1"}""");
        await Client.PutJsonAsync($"models/{name}/aliases/production", """{"traffic": {"1": 50, "2": 50}}""");
        await Client.PutJsonAsync($"models/{name}/aliases/production", """{"version": "2"}""");

        var rollback = await Client.SendAsync(HttpMethod.Post, $"models/{name}/aliases/production/rollback");
        var history = await Client.GetJsonAsync($"models/{name}/aliases/production/history");

        Assert.Equal(HttpStatusCode.OK, rollback.Status);
        Assert.Equal("""{"1":50,"2":50}""", rollback.Json.GetProperty("traffic").GetRawText());
        Assert.Equal("x-routing-key", rollback.Json.GetProperty("routing_key").GetString());
        var moves = history.Json.GetProperty("moves").EnumerateArray().ToList();
        Assert.Equal("""{"1":50,"2":50}""", moves[0].GetProperty("to_traffic").GetRawText());
        Assert.False(moves[0].TryGetProperty("from_traffic", out _));
        Assert.Equal("""{"1":50,"2":50}""", moves[1].GetProperty("from_traffic").GetRawText());
        Assert.Equal(("1", "1"), (moves[2].GetProperty("from_version").GetString(), moves[2].GetProperty("to_version").GetString()));
        Assert.False(moves[3].TryGetProperty("to_traffic", out _));
    }

    [Fact]
    public async Task OverTheRunner_SplitWithAVersionThatCannotLoad_Is400NamingIt_AndMovesNothing()
    {
        const string name = "split-broken-e2e";
        await RegisterAsync(name, "1", 1);
        await RegisterAsync(name, "2", 2);
        var container = new BlobContainerClient(_stack.ConnectionString, _stack.ContainerName);
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{name}/2/", default))
        {
            await container.GetBlobClient(blob.Name).UploadAsync(BinaryData.FromString("not the registered bytes"), overwrite: true);
        }

        var refused = await Client.PutJsonAsync($"models/{name}/aliases/production", """{"traffic": {"1": 90, "2": 10}}""");
        var unknown = await Client.PutJsonAsync($"models/{name}/aliases/production", """{"traffic": {"1": 90, "7": 10}}""");
        var alias = await Client.GetJsonAsync($"models/{name}/aliases/production");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("version '2'", refused.Error);
        Assert.Contains("failed to load", refused.Error);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains("'7'", unknown.Error);
        Assert.Equal(HttpStatusCode.NotFound, alias.Status);
    }

    private async Task<List<(string? Key, string Version)>> InferManyAsync(string path, int count, Func<int, string?> key)
    {
        var body = LogisticBody();
        var results = new (string? Key, string Version)[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var headers = key(i) is { } k ? new Dictionary<string, string> { ["x-user-id"] = k } : null;
            var answer = await Client.SendAsync(HttpMethod.Post, path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), headers);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            var version = answer.Json.GetProperty("model_version").GetString()!;
            Assert.Equal(version, Assert.Single(answer.Response.Headers.GetValues("x-model-version")));
            results[i] = (key(i), version);
        });
        return results.ToList();
    }

    private async Task RegisterAsync(string name, string version, int seed)
    {
        var answer = await Client.PutBytesAsync($"models/{name}/versions/{version}", ReferenceModels.LogisticRegression(features: 3, seed: seed));
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {answer.Status} {answer.Body}");
    }

    private static string LogisticBody() => """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[0.5,1.0,-0.25]}]}""";
}
