using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Errors;
using Serverless.Functions.Http;

namespace Serverless.Tests.Http;

public sealed class MlflowErrorsTests
{
    [Theory]
    [InlineData(ErrorCodes.InvalidInput, "INVALID_PARAMETER_VALUE", 400)]
    [InlineData(ErrorCodes.Conflict, "RESOURCE_ALREADY_EXISTS", 400)]
    [InlineData(ErrorCodes.NotFound, "RESOURCE_DOES_NOT_EXIST", 404)]
    [InlineData(ErrorCodes.ModelNotFound, "RESOURCE_DOES_NOT_EXIST", 404)]
    [InlineData(ErrorCodes.AliasNotFound, "RESOURCE_DOES_NOT_EXIST", 404)]
    [InlineData(ErrorCodes.PayloadTooLarge, "INVALID_PARAMETER_VALUE", 413)]
    [InlineData(ErrorCodes.StorageUnavailable, "TEMPORARILY_UNAVAILABLE", 503)]
    [InlineData(ErrorCodes.InternalError, "INTERNAL_ERROR", 500)]
    public void For_MapsTheAppsCodeToMlflows(string code, string errorCode, int status)
    {
        Assert.Equal((errorCode, status), MlflowErrors.For(code));
    }

    [Fact]
    public void EveryAppCode_HasAnMlflowCode()
    {
        Assert.All(ErrorCodes.All, c => Assert.Matches("^[A-Z_]+$", MlflowErrors.For(c.Code).ErrorCode));
    }

    [Fact]
    public async Task GuardAsync_MlflowShape_AnswersErrorCodeAndMessageOnly()
    {
        var result = await ApiResults.GuardAsync(() => throw ServingException.NotFound("Run with id=x not found"), NullLogger.Instance, ErrorShape.Mlflow);

        var (status, body) = await ExecuteAsync(result);
        Assert.Equal(404, status);
        Assert.Equal("""{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run with id=x not found"}""", body);
    }

    [Fact]
    public async Task GuardAsync_MlflowShape_ServerFaultNamesTheCorrelationIdInTheMessage()
    {
        var result = await ApiResults.GuardAsync(() => throw new InvalidOperationException("secret detail"), NullLogger.Instance, ErrorShape.Mlflow);

        var (status, body) = await ExecuteAsync(result);
        Assert.Equal(500, status);
        Assert.Contains("\"error_code\":\"INTERNAL_ERROR\"", body, StringComparison.Ordinal);
        Assert.Contains("correlation id", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
    }

    private static async Task<(int Status, string Body)> ExecuteAsync(IActionResult result)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
