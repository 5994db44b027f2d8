using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Moq;
using Serverless.Core.Errors;
using Serverless.Functions.Http;

namespace Serverless.Tests.Http;

public sealed class ApiResultsTests
{
    [Fact]
    public async Task Guard_ClientMistake_IsItsStatusWithItsMessage()
    {
        var (status, body) = await RunAsync(() => throw ServingException.BadRequest("Input 'x' has no 'shape'."));

        Assert.Equal(400, status);
        Assert.Equal("Input 'x' has no 'shape'.", body.GetProperty("error").GetString());
        Assert.Equal("invalid_input", body.GetProperty("code").GetString());
        Assert.False(body.TryGetProperty("correlation_id", out _));
    }

    [Fact]
    public async Task Guard_SpecificNotFound_AnswersItsCode()
    {
        var (status, body) = await RunAsync(() => throw ServingException.VersionNotFound("Model 'churn' has no version '7'."));

        Assert.Equal(404, status);
        Assert.Equal("version_not_found", body.GetProperty("code").GetString());
        Assert.Equal(["error", "code"], body.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Guard_UnexpectedException_Is500WithCorrelationIdAndNoExceptionText()
    {
        var logger = new Mock<ILogger>();
        var (status, body) = await RunAsync(() => throw new InvalidOperationException("secret at /home/site/wwwroot/app.dll line 42"), logger.Object);

        Assert.Equal(500, status);
        Assert.Equal("internal_error", body.GetProperty("code").GetString());
        var id = body.GetProperty("correlation_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        var error = body.GetProperty("error").GetString()!;
        Assert.Contains(id, error);
        Assert.DoesNotContain("secret", error);
        Assert.DoesNotContain("/home", error);
        logger.Verify(l => l.Log(LogLevel.Error, It.IsAny<EventId>(), It.Is<It.IsAnyType>((v, _) => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!.Contains(id, StringComparison.Ordinal)),
            It.IsAny<InvalidOperationException>(), It.IsAny<Func<It.IsAnyType, Exception?, string>>()), Times.Once);
    }

    [Fact]
    public async Task Guard_StorageOutage_Is503WithoutTheStorageErrorText()
    {
        var (status, body) = await RunAsync(() => throw new RequestFailedException(500, "Server failed at https://account.blob.core.windows.net/models?sig=abc"));

        Assert.Equal(503, status);
        Assert.Equal("storage_unavailable", body.GetProperty("code").GetString());
        var error = body.GetProperty("error").GetString()!;
        Assert.StartsWith("Storage is unavailable", error);
        Assert.DoesNotContain("core.windows.net", error);
        Assert.Contains(body.GetProperty("correlation_id").GetString()!, error);
    }

    [Fact]
    public async Task Error_QuotesAndNonAsciiText_AreWrittenAsTheyAreNotEscaped()
    {
        const string message = "Unknown input 'x'. The model's inputs are: 'größe' (FP32 [-1,3]) & \"<b>\".";
        var result = await ApiResults.GuardAsync(() => throw ServingException.BadRequest(message), Mock.Of<ILogger>());
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        var text = System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Contains("Unknown input 'x'. The model's inputs are: 'größe' (FP32 [-1,3]) & \\\"<b>\\\".", text);
        Assert.DoesNotContain("\\u", text);
        Assert.Equal(message, JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
    }

    private static async Task<(int Status, JsonElement Body)> RunAsync(Func<Task<IActionResult>> handler, ILogger? logger = null)
    {
        var result = await ApiResults.GuardAsync(handler, logger ?? Mock.Of<ILogger>());
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, JsonDocument.Parse(context.Response.Body).RootElement.Clone());
    }
}
