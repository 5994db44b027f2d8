using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Serverless.Core.Serving;
using Serverless.Functions.Health;

namespace Serverless.Tests.Health;

public sealed class ServerHealthFunctionsTests
{
    [Fact]
    public async Task Ready_BeforeStartUpIsDone_Is503WithTheStageAndTheErrorShape()
    {
        var readiness = new ServingReadiness();
        readiness.Report("warming models");

        var (status, body) = await AnswerAsync(new ServerHealthFunctions(readiness, new Core.Mirroring.MirrorCounters()));

        Assert.Equal(503, status);
        Assert.False(body.GetProperty("ready").GetBoolean());
        Assert.Equal("warming models", body.GetProperty("status").GetString());
        Assert.Equal("unavailable", body.GetProperty("code").GetString());
        Assert.Contains("warming models", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Ready_OnceStarted_IsReadyWithStartupTimeOnly()
    {
        var readiness = new ServingReadiness();
        readiness.Complete(ServingReadiness.ModelsGate);

        var (status, body) = await AnswerAsync(new ServerHealthFunctions(readiness, new Core.Mirroring.MirrorCounters()));

        Assert.Equal(200, status);
        Assert.Equal(["ready", "startup_ms"], body.EnumerateObject().Select(p => p.Name));
    }

    private static async Task<(int Status, JsonElement Body)> AnswerAsync(ServerHealthFunctions functions)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await functions.Ready(context.Request).ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, JsonDocument.Parse(context.Response.Body).RootElement.Clone());
    }
}
