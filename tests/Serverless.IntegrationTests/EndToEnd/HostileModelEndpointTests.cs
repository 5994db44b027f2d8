using System.Net;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Hostile models and tampered blobs through the local runner over HTTP, against Azurite: what registration
/// refuses (nothing stored), and what serving answers when stored bytes no longer match the registry.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class HostileModelEndpointTests
{
    private const string Features = """{"instances": [{"f0": 1, "f1": 0, "f2": 0, "f3": 0, "f4": 0, "f5": 0, "f6": 0, "f7": 0, "f8": 0, "f9": 0}]}""";
    private readonly StackFixture _stack;

    public HostileModelEndpointTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    private BlobContainerClient Container => new(_stack.ConnectionString, _stack.ContainerName);

    [Theory]
    [InlineData("initializer")]
    [InlineData("if-branch")]
    [InlineData("function")]
    public async Task Register_ModelWithExternalData_Returns400SayingSoAndStoresNothing(string place)
    {
        var model = place switch
        {
            "initializer" => HostileModels.ExternalInitializer("../../../../../etc/hostname"),
            "if-branch" => HostileModels.ExternalInIfBranch(),
            _ => HostileModels.ExternalInFunction(),
        };
        var name = $"hostile-external-{place}";

        var answer = await Client.PutBytesAsync($"models/{name}/versions/1", model);
        var lookup = await Client.GetJsonAsync($"models/{name}/versions/1");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("external data", answer.Error);
        Assert.Equal(HttpStatusCode.NotFound, lookup.Status);
        await foreach (var blob in Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, name + "/", default))
        {
            Assert.Fail($"Blob {blob.Name} was left behind by a refused registration.");
        }
    }

    [Fact]
    public async Task Register_TinyModelThatGrowsHugeInMemory_Returns400NamingTheBudgetAndTheRunnerKeepsServing()
    {
        var bomb = HostileModels.ConstantOfShape([15_000, 15_000], copies: 5);

        var answer = await Client.PutBytesAsync("models/hostile-bomb/versions/1", bomb);
        var ready = await Client.GetAsync("v2/health/ready");

        Assert.True(bomb.Length < 2048, bomb.Length.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Registry:MaxSessionBytes", answer.Error);
        Assert.Contains("4,500,000,", answer.Error);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync("models/hostile-bomb/versions/1")).Status);
    }

    [Fact]
    public async Task Register_WarmupOverTheBudget_Returns400NamingTheSetting()
    {
        var answer = await Client.PutBytesAsync("models/hostile-warmup/versions/1", HostileModels.FixedInput(2000, 1000));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Serving:MaxWarmupElements", answer.Error);
        Assert.Contains("2000000", answer.Error);
    }

    [Fact]
    public async Task Register_Model_ShowsItsMeasuredSessionBytes()
    {
        var model = ReferenceModels.Mlp(inputs: 16, hidden1: 32, hidden2: 32);

        var answer = await Client.PutBytesAsync("models/hostile-measured/versions/1", model);
        var read = await Client.GetJsonAsync("models/hostile-measured/versions/1");

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.InRange(read.Json.GetProperty("session_bytes").GetInt64(), model.Length, model.Length * 2L);
    }

    [Fact]
    public async Task Infer_ModelBlobReplacedByAnotherModel_Returns500IntegrityErrorNotTheOtherModelsAnswer()
    {
        var registered = await Client.PutBytesAsync("models/tampered-model/versions/1", ReferenceModels.LogisticRegression(seed: 1));
        var sha = registered.Json.GetProperty("sha256").GetString();
        await Container.GetBlobClient($"tampered-model/1/{sha}/model.onnx")
            .UploadAsync(BinaryData.FromBytes(ReferenceModels.LogisticRegression(seed: 2)), overwrite: true);
        var body = $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,10],"data":[{{string.Join(",", Enumerable.Repeat("1", 10))}}]}]}""";

        var first = await Client.PostJsonAsync("v2/models/tampered-model/versions/1/infer", body);
        var again = await Client.PostJsonAsync("v2/models/tampered-model/infer", body);

        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Contains("Model 'tampered-model' version '1' failed its integrity check", first.Error);
        Assert.Contains(sha!, first.Error);
        Assert.Equal(HttpStatusCode.InternalServerError, again.Status);
        Assert.Equal(first.Error, again.Error);
    }

    [Fact]
    public async Task Predict_ManifestBlobReplaced_Returns500IntegrityErrorNotAnotherThreshold()
    {
        var registered = await Client.PutBytesAsync("models/tampered-manifest/versions/1", ReferenceModels.LogisticRegression());
        var manifest = await Client.PutJsonAsync("models/tampered-manifest/versions/1/manifest", ReferenceManifests.LogisticRegression());
        Assert.Equal(HttpStatusCode.Created, manifest.Status);
        var sha = registered.Json.GetProperty("sha256").GetString();
        await Container.GetBlobClient($"tampered-manifest/1/{sha}/manifest.json")
            .UploadAsync(BinaryData.FromString(ReferenceManifests.LogisticRegression(threshold: 0.99)), overwrite: true);

        var predict = await Client.PostJsonAsync("models/tampered-manifest/predict", Features);
        var read = await Client.GetJsonAsync("models/tampered-manifest/versions/1/manifest");

        Assert.Equal(HttpStatusCode.InternalServerError, predict.Status);
        Assert.Contains("failed its integrity check", predict.Error);
        Assert.Contains("manifest", predict.Error);
        Assert.Equal(HttpStatusCode.InternalServerError, read.Status);
    }
}
