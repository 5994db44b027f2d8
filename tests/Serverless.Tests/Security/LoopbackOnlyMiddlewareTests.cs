using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serverless.Local.Http;

namespace Serverless.Tests.Security;

public sealed class LoopbackOnlyMiddlewareTests
{
    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("app.localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.3.2.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("::1", true)]
    [InlineData("localhost.attacker.example", false)]
    [InlineData("attacker.example", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsLoopbackName_AcceptsOnlyNamesOfThisMachine(string? host, bool expected) =>
        Assert.Equal(expected, LoopbackOnlyMiddleware.IsLoopbackName(host));

    [Theory]
    [InlineData("127.0.0.1:7071", true)]
    [InlineData("localhost:7071", true)]
    [InlineData("LocalHost", true)]
    [InlineData("[::1]:7071", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2:80", true)]
    [InlineData("app.localhost:7071", true)]
    [InlineData("127.0.0.1:80:90", false)]
    [InlineData("127.0.0.1.attacker.example", false)]
    [InlineData("localhost.attacker.example:7071", false)]
    [InlineData("localhost:", true)]
    [InlineData("attacker.example:7071", false)]
    [InlineData("", false)]
    public void IsLoopbackHost_AgreesWithTheHostPartsName(string value, bool expected)
    {
        var host = new HostString(value);

        Assert.Equal(expected, LoopbackOnlyMiddleware.IsLoopbackHost(host));
        Assert.Equal(LoopbackOnlyMiddleware.IsLoopbackName(host.Host), LoopbackOnlyMiddleware.IsLoopbackHost(host));
    }

    [Theory]
    [InlineData("http://localhost:7071", true)]
    [InlineData("http://127.0.0.1:7071", true)]
    [InlineData("http://localhost:7072", false)]
    [InlineData("https://localhost:7071", false)]
    [InlineData("http://attacker.example:7071", false)]
    [InlineData("null", false)]
    public void IsOwnOrigin_IsTheRunnersSchemeLoopbackHostAndPort(string origin, bool expected) =>
        Assert.Equal(expected, LoopbackOnlyMiddleware.IsOwnOrigin(origin, 7071));

    [Fact]
    public async Task ForeignHost_Is403_InTheApisErrorShapeWithCodeForbidden()
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("attacker.example");
        context.Response.Body = new MemoryStream();
        var middleware = new LoopbackOnlyMiddleware(_ => throw new InvalidOperationException("must not be reached"));

        await middleware.InvokeAsync(context);

        Assert.Equal(403, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var body = JsonDocument.Parse(context.Response.Body).RootElement;
        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        Assert.Contains("attacker.example", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ForeignHost_403Text_KeepsQuotesAndNonAsciiReadable()
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("größe.example");
        context.Response.Body = new MemoryStream();
        var middleware = new LoopbackOnlyMiddleware(_ => throw new InvalidOperationException("must not be reached"));

        await middleware.InvokeAsync(context);

        var text = System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Contains("Host 'größe.example' is not a loopback name.", text);
    }
}
