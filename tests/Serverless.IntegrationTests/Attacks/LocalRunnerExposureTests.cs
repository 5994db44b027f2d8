using System.Net;
using System.Text;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Without keys the local runner trusts whoever reaches it, so it must not be reachable by a web page: requests for
/// a non-loopback Host (DNS rebinding) and cross-origin browser writes are refused; the machine's own tools pass.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LocalRunnerExposureTests
{
    private readonly StackFixture _stack;

    public LocalRunnerExposureTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:7071")]
    [InlineData("10.0.0.5")]
    [InlineData("localhost.attacker.example")]
    public async Task KeysOff_HostThatIsNotLoopback_IsForbiddenAndNothingIsStored(string hostHeader)
    {
        var answer = await _stack.Client.SendAsync(HttpMethod.Put, "models/exposed-host/aliases/production",
            new StringContent("""{"version": "1"}""", Encoding.UTF8, "application/json"), new Dictionary<string, string> { ["Host"] = hostHeader });

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Contains("not a loopback name", answer.Error);
        Assert.Equal(HttpStatusCode.NotFound, (await _stack.Client.GetJsonAsync("models/exposed-host/aliases/production")).Status);
    }

    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("null")]
    [InlineData("http://localhost:1")]
    public async Task KeysOff_CrossOriginWrite_IsForbiddenAndNothingIsStored(string origin)
    {
        var answer = await _stack.Client.SendAsync(HttpMethod.Put, "models/exposed-origin/versions/1",
            new ByteArrayContent(Serverless.TestModels.ReferenceModels.LogisticRegression(features: 2)), new Dictionary<string, string> { ["Origin"] = origin });

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Contains("Cross-origin write refused", answer.Error);
        Assert.Equal(HttpStatusCode.NotFound, (await _stack.Client.GetJsonAsync("models/exposed-origin/versions/1")).Status);
    }

    [Fact]
    public async Task KeysOff_OwnOriginAndLoopbackHosts_AreServed()
    {
        var own = _stack.Host.BaseAddress.GetLeftPart(UriPartial.Authority);
        var port = _stack.Host.BaseAddress.Port;

        var sameOrigin = await _stack.Client.SendAsync(HttpMethod.Post, "monitoring/runs",
            new StringContent("""{"model": "exposed-nobody"}""", Encoding.UTF8, "application/json"), new Dictionary<string, string> { ["Origin"] = own });
        var localhost = await _stack.Client.SendAsync(HttpMethod.Get, "models", headers: new Dictionary<string, string> { ["Host"] = $"localhost:{port}" });
        var ipv6 = await _stack.Client.SendAsync(HttpMethod.Get, "models", headers: new Dictionary<string, string> { ["Host"] = $"[::1]:{port}" });
        var crossOriginRead = await _stack.Client.SendAsync(HttpMethod.Get, "models", headers: new Dictionary<string, string> { ["Origin"] = "https://attacker.example" });

        Assert.NotEqual(HttpStatusCode.Forbidden, sameOrigin.Status);
        Assert.Equal(HttpStatusCode.OK, localhost.Status);
        Assert.Equal(HttpStatusCode.OK, ipv6.Status);
        Assert.Equal(HttpStatusCode.OK, crossOriginRead.Status);
        Assert.False(crossOriginRead.Response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
