using System.Net;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.EndToEnd;

[Collection(StackCollection.Name)]
public sealed class FunctionKeyTests
{
    private readonly StackFixture _stack;

    public FunctionKeyTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task RequireKeys_ClientRoutesTakeEitherKey_OperatorRoutesOnlyTheMasterKey_HealthStaysAnonymous()
    {
        await using var host = await LocalFunctionHost.StartAsync(_stack.RunnerOptions(requireKeys: true) with { FunctionKey = "test-key", MasterKey = "master-key" });
        using var client = new HttpClient { BaseAddress = new Uri(host.BaseAddress, host.RoutePrefix + "/") };

        var health = await client.GetAsync("v2/health/live");
        var withoutKey = await client.GetAsync("v2/models/keys-nobody");
        var withHeader = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "v2/models/keys-nobody") { Headers = { { "x-functions-key", "test-key" } } });
        var withQuery = await client.GetAsync("v2/models/keys-nobody?code=test-key");
        var wrongKey = await client.GetAsync("v2/models/keys-nobody?code=nope");
        var operatorRouteWithClientKey = await client.GetAsync("models?code=test-key");
        var operatorRouteWithMasterKey = await client.GetAsync("models?code=master-key");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withHeader.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withQuery.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, operatorRouteWithClientKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, operatorRouteWithMasterKey.StatusCode);
    }

    [Fact]
    public async Task Health_LiveReadyAndServerMetadata_AnswerAsTheProtocolSays()
    {
        var live = await _stack.Client.GetJsonAsync("v2/health/live");
        var ready = await _stack.Client.GetJsonAsync("v2/health/ready");
        var server = await _stack.Client.GetJsonAsync("v2");

        Assert.True(live.Json.GetProperty("live").GetBoolean());
        Assert.True(ready.Json.GetProperty("ready").GetBoolean());
        Assert.Equal("serverless-onnx", server.Json.GetProperty("name").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, server.Json.GetProperty("extensions").ValueKind);
    }
}
