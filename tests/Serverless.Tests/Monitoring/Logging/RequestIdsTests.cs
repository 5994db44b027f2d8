using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class RequestIdsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ValidateHeader_AbsentOrEmpty_IsNoId(string? value)
    {
        Assert.Null(RequestIds.ValidateHeader(value));
    }

    [Theory]
    [InlineData("client-42")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    public void ValidateHeader_PrintableAsciiUpToTheCap_IsTheId(string value)
    {
        Assert.Equal(value, RequestIds.ValidateHeader(value));
        Assert.Equal(new string('a', RequestIds.MaxLength), RequestIds.ValidateHeader(new string('a', RequestIds.MaxLength)));
    }

    [Fact]
    public void ValidateHeader_OverTheCap_IsBadRequestNamingTheHeaderNotTruncated()
    {
        var error = Assert.Throws<ServingException>(() => RequestIds.ValidateHeader(new string('a', RequestIds.MaxLength + 1)));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("x-request-id", error.Message);
        Assert.Contains("128", error.Message);
    }

    [Theory]
    [InlineData("tab\there")]
    [InlineData("caf\u00e9")]
    public void ValidateHeader_NotPrintableAscii_IsBadRequest(string value)
    {
        var error = Assert.Throws<ServingException>(() => RequestIds.ValidateHeader(value));

        Assert.Contains("x-request-id", error.Message);
    }
}
