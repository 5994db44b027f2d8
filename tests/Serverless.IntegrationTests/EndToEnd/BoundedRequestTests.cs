using System.Net;
using System.Text;
using Serverless.Core.Monitoring.Logging;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>Request ids are capped at the edge; an oversized one is a 400 naming it, never truncated.</summary>
[Collection(StackCollection.Name)]
public sealed class BoundedRequestTests
{
    private readonly StackFixture _stack;

    public BoundedRequestTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Theory]
    [InlineData("v2/models/bounded-ids/infer")]
    [InlineData("models/bounded-ids/predict")]
    public async Task RequestIdHeaderOverTheCap_Is400NamingTheHeader(string path)
    {
        await RegisterAsync();

        var answer = await SendAsync(path, path.EndsWith("infer", StringComparison.Ordinal) ? InferBody() : PredictBody(), new string('r', RequestIds.MaxLength + 1));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(RequestIds.HeaderName, answer.Error);
    }

    [Theory]
    [InlineData("v2/models/bounded-ids/infer")]
    [InlineData("models/bounded-ids/predict")]
    public async Task RequestIdHeaderAtTheCap_IsEchoed(string path)
    {
        await RegisterAsync();
        var id = new string('r', RequestIds.MaxLength);

        var answer = await SendAsync(path, path.EndsWith("infer", StringComparison.Ordinal) ? InferBody() : PredictBody(), id);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(id, answer.Response.Headers.GetValues(RequestIds.HeaderName).Single());
    }

    [Fact]
    public async Task InferBodyIdOverTheCap_Is400NamingTheField()
    {
        await RegisterAsync();

        var answer = await Client.PostJsonAsync("v2/models/bounded-ids/infer", "{\"id\":\"" + new string('i', 129) + "\"," + InferBody()[1..]);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("'id' is longer than 128", answer.Error);
    }

    private async Task<JsonAnswer> SendAsync(string path, string json, string requestId) =>
        await Client.SendAsync(HttpMethod.Post, path, new StringContent(json, Encoding.UTF8, "application/json"),
            new Dictionary<string, string> { [RequestIds.HeaderName] = requestId });

    private async Task RegisterAsync()
    {
        var model = await Client.PutBytesAsync("models/bounded-ids/versions/1", ReferenceModels.LogisticRegression(features: 3));
        Assert.True(model.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {model.Status} {model.Body}");
        var manifest = await Client.PutJsonAsync("models/bounded-ids/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 3));
        Assert.True(manifest.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"manifest failed: {manifest.Status} {manifest.Body}");
    }

    private static string InferBody() => """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[1,2,3]}]}""";

    private static string PredictBody() => """{"instances":[{"f0":1,"f1":2,"f2":3}]}""";
}
