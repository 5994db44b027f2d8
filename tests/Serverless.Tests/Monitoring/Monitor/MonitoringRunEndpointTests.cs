using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;
using Serverless.Functions.Monitoring;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary><c>POST api/monitoring/runs</c>: bounded body, validated model, and single-flight answers (joined, or 409 naming the run).</summary>
public sealed class MonitoringRunEndpointTests
{
    private const string Storage = "UseDevelopmentStorage=true";

    [Fact]
    public async Task Run_SameModelWhileARunIsUnderWay_JoinsItAndSaysSo()
    {
        var runner = new SlowRunner();
        using var coordinator = Coordinator(runner);
        var first = coordinator.RunAsync("churn", CancellationToken.None);
        await runner.Started.Task;

        var answer = Call(coordinator, """{"model":"churn"}""");
        runner.Release.SetResult();
        var (status, body) = await answer;

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("joined").GetBoolean());
        Assert.Equal((await first).Result.RunId, body.GetProperty("run_id").GetString());
        Assert.Equal(1, runner.Calls);
    }

    [Fact]
    public async Task Run_AnotherModelWhileARunIsUnderWay_Is409NamingTheRun()
    {
        var runner = new SlowRunner();
        using var coordinator = Coordinator(runner);
        var first = coordinator.RunAsync(null, CancellationToken.None);
        await runner.Started.Task;

        var (status, body) = await Call(coordinator, """{"model":"churn"}""");

        Assert.Equal(409, status);
        Assert.Contains(coordinator.Current!.Value.RunId, body.GetProperty("error").GetString());
        runner.Release.SetResult();
        await first;
        Assert.Equal(1, runner.Calls);
    }

    [Fact]
    public async Task Run_NoRunUnderWay_StartsOne()
    {
        var runner = new SlowRunner();
        runner.Release.SetResult();
        using var coordinator = Coordinator(runner);

        var (status, body) = await Call(coordinator, "");

        Assert.Equal(200, status);
        Assert.False(body.GetProperty("joined").GetBoolean());
        Assert.Equal(1, runner.Calls);
    }

    [Theory]
    [InlineData("""{"model":"churn","colour":"red"}""", 400, "colour")]
    [InlineData("""{"model":"churn","model":"fraud"}""", 400, "repeated")]
    [InlineData("""{"model":"../etc"}""", 400, "model name")]
    [InlineData("""{"model":7}""", 400, "model")]
    [InlineData("""["churn"]""", 400, "empty or")]
    [InlineData("""{"model":"ghost"}""", 404, "ghost")]
    public async Task Run_BadBodyOrUnknownModel_IsAClientErrorAndStartsNothing(string json, int expected, string mentions)
    {
        var runner = new SlowRunner();
        using var coordinator = Coordinator(runner);

        var (status, body) = await Call(coordinator, json);

        Assert.Equal(expected, status);
        Assert.Contains(mentions, body.GetProperty("error").GetString());
        Assert.Equal(0, runner.Calls);
    }

    [Fact]
    public async Task Run_LongUnknownField_IsQuotedCut()
    {
        using var coordinator = Coordinator(new SlowRunner());

        var (status, body) = await Call(coordinator, $$"""{"{{new string('x', 3_000)}}":1}""");

        Assert.Equal(400, status);
        Assert.True(body.GetProperty("error").GetString()!.Length < 200);
    }

    [Fact]
    public async Task Run_BodyOverTheLimit_Is413()
    {
        using var coordinator = Coordinator(new SlowRunner());

        var (status, _) = await Call(coordinator, $$"""{"model":"{{new string('x', 10_000)}}"}""");

        Assert.Equal(413, status);
    }

    private static MonitoringRunCoordinator Coordinator(SlowRunner runner) =>
        new(runner, new FakeLock(), TimeProvider.System, NullLogger<MonitoringRunCoordinator>.Instance);

    private static async Task<(int Status, JsonElement Body)> Call(MonitoringRunCoordinator coordinator, string body)
    {
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.ListVersionsAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string name, CancellationToken _) => name == "ghost"
                ? []
                : [new ModelVersion(name, "1", "sha", 1, DateTimeOffset.UnixEpoch, null, [], [], $"{name}/1/model.onnx")]);
        var functions = new MonitoringFunctions(coordinator, registry.Object,
            new ReportStore(new BlobContainerClient(Storage, "monitoring"), new TableClient(Storage, "monitoringreports")),
            new InferenceLogRetention(new TableServiceClient(Storage), Options.Create(new InferenceLogOptions()), TimeProvider.System, NullLogger<InferenceLogRetention>.Instance),
            new InferenceLogWriter(Options.Create(new InferenceLogOptions()), new InferenceLogBuffer(Options.Create(new InferenceLogOptions())), Mock.Of<IInferenceLogSink>(),
                TimeProvider.System, NullLogger<InferenceLogWriter>.Instance),
            Mock.Of<Serverless.Orchestrations.Retraining.IRetrainingTriggers>(), NullLogger<MonitoringFunctions>.Instance);
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Response.Body = new MemoryStream();

        var result = await functions.Run(context.Request, null!);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        context.Response.Body.Position = 0;
        using var document = await JsonDocument.ParseAsync(context.Response.Body);
        return (context.Response.StatusCode, document.RootElement.Clone());
    }
}
