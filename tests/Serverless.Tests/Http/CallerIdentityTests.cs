using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Serverless.Functions.Http;

namespace Serverless.Tests.Http;

/// <summary>What the app records as the caller: the platform's principal only where the platform vouches for it, else what admitted the request.</summary>
public sealed class CallerIdentityTests
{
    [Fact]
    public void Describe_PrincipalHeadersWithPlatformAuthentication_IsNameAndId()
    {
        var request = Request(principal: ("alice@contoso.com", "0000-1111"), key: true);

        Assert.Equal("alice@contoso.com (0000-1111)", Callers(platformAuth: true).Describe(request, AuthorizationLevel.Admin));
    }

    [Fact]
    public void Describe_PrincipalHeadersWithoutPlatformAuthentication_AreIgnoredAsForgeable()
    {
        var request = Request(principal: ("ceo@contoso.com", "forged"), key: true);

        Assert.Equal("admin key", Callers(platformAuth: false).Describe(request, AuthorizationLevel.Admin));
    }

    [Fact]
    public void Describe_WhatTheRunnerRecorded_WinsOverAPresentedKey()
    {
        var request = Request(principal: null, key: true);
        request.HttpContext.Items[CallerIdentity.AdmittedByItem] = "anonymous";

        Assert.Equal("anonymous", Callers(platformAuth: false).Describe(request, AuthorizationLevel.Admin));
    }

    [Fact]
    public void Describe_NoKeyNoPrincipal_IsAnonymous()
    {
        Assert.Equal("anonymous", Callers(platformAuth: true).Describe(Request(principal: null, key: false), AuthorizationLevel.Admin));
    }

    [Fact]
    public void Describe_NeverContainsTheKey_AndCutsControlCharactersAndLength()
    {
        var request = Request(principal: ("evil\r\nname" + new string('x', 1000), ""), key: true);

        var by = Callers(platformAuth: true).Describe(request, AuthorizationLevel.Admin);

        Assert.DoesNotContain("secret-key", by);
        Assert.StartsWith("evil??name", by);
        Assert.True(by.Length <= 120, by);
    }

    private static CallerIdentity Callers(bool platformAuth) => new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [CallerIdentity.PlatformAuthSetting] = platformAuth ? "True" : null })
        .Build());

    private static HttpRequest Request((string Name, string Id)? principal, bool key)
    {
        var context = new DefaultHttpContext();
        if (principal is { } p)
        {
            context.Request.Headers[CallerIdentity.PrincipalNameHeader] = p.Name;
            context.Request.Headers[CallerIdentity.PrincipalIdHeader] = p.Id;
        }

        if (key)
        {
            context.Request.Headers["x-functions-key"] = "secret-key";
        }

        return context.Request;
    }
}
