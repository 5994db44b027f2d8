using System.Net;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

[Collection(StackCollection.Name)]
public sealed class RegistryEndpointTests
{
    private readonly StackFixture _stack;

    public RegistryEndpointTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Register_NewVersion_Returns201WithSignatureAndSameBytesAgainReturns200()
    {
        var model = ReferenceModels.LogisticRegression();

        var first = await Client.PutBytesAsync("models/churn-reg/versions/1?description=first", model);
        var again = await Client.PutBytesAsync("models/churn-reg/versions/1", model);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal("/api/models/churn-reg/versions/1", first.Response.Headers.Location?.OriginalString);
        Assert.Equal("first", first.Json.GetProperty("description").GetString());
        Assert.Equal(model.Length, first.Json.GetProperty("size_bytes").GetInt64());
        var input = first.Json.GetProperty("inputs")[0];
        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal("[-1,10]", input.GetProperty("shape").GetRawText());
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Json.GetProperty("sha256").GetString(), again.Json.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Register_OtherBytesForExistingVersion_Returns409AndKeepsTheOriginal()
    {
        var original = ReferenceModels.LogisticRegression(seed: 1);
        await Client.PutBytesAsync("models/conflict-reg/versions/1", original);

        var conflict = await Client.PutBytesAsync("models/conflict-reg/versions/1", ReferenceModels.LogisticRegression(seed: 2));
        var stored = await Client.GetJsonAsync("models/conflict-reg/versions/1");

        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Contains("already registered with other bytes", conflict.Error);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(original)), stored.Json.GetProperty("sha256").GetString());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public async Task Register_InvalidModelBytes_Returns400AndStoresNothing(string kind)
    {
        var valid = ReferenceModels.Mlp(inputs: 8, hidden1: 16, hidden2: 16);
        var body = kind switch
        {
            "garbage" => "this is not an onnx model at all"u8.ToArray(),
            "truncated" => valid[..(valid.Length / 2)],
            _ => [],
        };
        var name = $"invalid-{kind}";

        var answer = await Client.PutBytesAsync($"models/{name}/versions/1", body);
        var lookup = await Client.GetJsonAsync($"models/{name}/versions/1");
        var blobs = new BlobContainerClient(_stack.ConnectionString, _stack.ContainerName).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, name + "/", default);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.False(string.IsNullOrWhiteSpace(answer.Error));
        Assert.Equal(HttpStatusCode.NotFound, lookup.Status);
        await foreach (var blob in blobs)
        {
            Assert.Fail($"Blob {blob.Name} was left behind by a refused registration.");
        }
    }

    [Theory]
    [InlineData("models/bad%20name/versions/1")]
    [InlineData("models/-leading-dash/versions/1")]
    [InlineData("models/ok-name/versions/v%231")]
    public async Task Register_InvalidNameOrVersion_Returns400(string path)
    {
        var answer = await Client.PutBytesAsync(path, ReferenceModels.FixedShape());

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.StartsWith("Invalid", answer.Error);
    }

    [Fact]
    public async Task ListModels_ShowsVersionsInNaturalOrderAndAliases()
    {
        foreach (var version in new[] { "2", "10", "1" })
        {
            await Client.PutBytesAsync($"models/listing/versions/{version}", ReferenceModels.LogisticRegression(seed: int.Parse(version)));
        }

        await Client.PutJsonAsync("models/listing/aliases/staging", """{"version": "2"}""");
        var models = await Client.GetJsonAsync("models");
        var versions = await Client.GetJsonAsync("models/listing/versions");

        var listing = models.Json.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "listing");
        Assert.Equal("""["1","2","10"]""", listing.GetProperty("versions").GetRawText());
        Assert.Equal("10", listing.GetProperty("latest_version").GetString());
        Assert.Equal("2", listing.GetProperty("aliases").GetProperty("staging").GetString());
        Assert.Equal(3, versions.Json.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task UnknownModelOrVersion_Returns404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync("models/nobody/versions")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync("models/nobody/versions/1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteJsonAsync("models/nobody/versions/1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync("models/nobody/aliases/production")).Status);
    }

    [Fact]
    public async Task Alias_PointedAtVersion_BlocksDeleteUntilMoved()
    {
        await Client.PutBytesAsync("models/aliased/versions/1", ReferenceModels.LogisticRegression(seed: 1));
        await Client.PutBytesAsync("models/aliased/versions/2", ReferenceModels.LogisticRegression(seed: 2));
        await Client.PutJsonAsync("models/aliased/aliases/production", """{"version": "1"}""");

        var refused = await Client.DeleteJsonAsync("models/aliased/versions/1");
        var moved = await Client.PutJsonAsync("models/aliased/aliases/production", """{"version": 2}""");
        var deleted = await Client.DeleteJsonAsync("models/aliased/versions/1");
        var gone = await Client.GetJsonAsync("models/aliased/versions/1");

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("production", refused.Error);
        Assert.Equal("2", moved.Json.GetProperty("version").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task Alias_MoveWithStaleETag_Returns412AndKeepsTheWinner()
    {
        await Client.PutBytesAsync("models/promote/versions/1", ReferenceModels.LogisticRegression(seed: 1));
        await Client.PutBytesAsync("models/promote/versions/2", ReferenceModels.LogisticRegression(seed: 2));
        await Client.PutBytesAsync("models/promote/versions/3", ReferenceModels.LogisticRegression(seed: 3));
        var created = await Client.PutJsonAsync("models/promote/aliases/production", """{"version": "1"}""");
        var etag = created.Response.Headers.ETag?.ToString() ?? created.Json.GetProperty("etag").GetString()!;

        var winner = await Client.PutJsonAsync("models/promote/aliases/production", """{"version": "2"}""", new Dictionary<string, string> { ["If-Match"] = etag });
        var loser = await Client.PutJsonAsync("models/promote/aliases/production", """{"version": "3"}""", new Dictionary<string, string> { ["If-Match"] = etag });
        var current = await Client.GetJsonAsync("models/promote/aliases/production");

        Assert.Equal(HttpStatusCode.OK, winner.Status);
        Assert.Equal(HttpStatusCode.PreconditionFailed, loser.Status);
        Assert.Contains("version '2'", loser.Error);
        Assert.Equal("2", current.Json.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("""{"version": "9"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"versio": "1"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"version": """, HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    public async Task Alias_BadBodyOrUnknownVersion_ReturnsClientError(string body, HttpStatusCode expected)
    {
        await Client.PutBytesAsync("models/alias-errors/versions/1", ReferenceModels.FixedShape());

        var answer = await Client.PutJsonAsync("models/alias-errors/aliases/production", body);

        Assert.Equal(expected, answer.Status);
        Assert.False(string.IsNullOrWhiteSpace(answer.Error));
    }
}
