using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Serverless.Local.Http;

namespace Serverless.Tests.LocalRunner;

/// <summary>What admits a request to the runner, as recorded for audit: the key level, never the key.</summary>
public sealed class FunctionKeysTests
{
    private static readonly FunctionKeys Required = new(required: true, "function-key", "master-key");

    [Theory]
    [InlineData("master-key", AuthorizationLevel.Admin, "admin key")]
    [InlineData("master-key", AuthorizationLevel.Function, "admin key")]
    [InlineData("function-key", AuthorizationLevel.Function, "function key")]
    [InlineData("function-key", AuthorizationLevel.Admin, null)]
    [InlineData("", AuthorizationLevel.Admin, null)]
    [InlineData("", AuthorizationLevel.Anonymous, "anonymous")]
    public void AdmittedBy_KeysRequired_NamesTheKeyLevelOrRefuses(string key, AuthorizationLevel level, string? expected)
    {
        Assert.Equal(expected, Required.AdmittedBy(Request(key), level));
    }

    [Fact]
    public void AdmittedBy_KeysOff_IsAnonymousWhateverKeyIsSent()
    {
        Assert.Equal("anonymous", new FunctionKeys(required: false, "function-key", "master-key").AdmittedBy(Request("master-key"), AuthorizationLevel.Admin));
    }

    private static HttpRequest Request(string key)
    {
        var context = new DefaultHttpContext();
        if (key.Length > 0)
        {
            context.Request.Headers["x-functions-key"] = key;
        }

        return context.Request;
    }
}
