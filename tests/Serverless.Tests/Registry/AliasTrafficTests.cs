using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Tests.Registry;

/// <summary>A split as a caller writes it: what is accepted, and each way it is refused (a 400 naming the field).</summary>
public sealed class AliasTrafficTests
{
    [Fact]
    public void Create_ValidSplit_OrdersByVersion_PrimaryIsTheLargestWeight_DefaultRoutingKey()
    {
        var traffic = AliasTrafficRules.Create(W(("10", 30), ("9", 70)), null);

        Assert.Equal([new TrafficShare("9", 70), new TrafficShare("10", 30)], traffic.Shares);
        Assert.Equal("9", traffic.Primary);
        Assert.Equal(AliasTraffic.DefaultRoutingKey, traffic.RoutingKey);
        Assert.Equal("{\"9\":70,\"10\":30}", traffic.ToJson());
    }

    [Fact]
    public void Create_EqualWeights_PrimaryIsTheEarlierVersion()
    {
        Assert.Equal("3", AliasTrafficRules.Create(W(("4", 50), ("3", 50)), "X-User-Id").Primary);
    }

    [Fact]
    public void Create_OneVersionAt100_IsTheOneVersionForm()
    {
        var traffic = AliasTrafficRules.Create(W(("3", 100)), "x-user-id");

        Assert.False(traffic.IsSplit);
        Assert.Null(traffic.RoutingKey);
        Assert.Equal(AliasTraffic.Single("3"), traffic);
    }

    [Fact]
    public void Create_RoutingKey_IsLowerCased()
    {
        Assert.Equal("x-user-id", AliasTrafficRules.Create(W(("3", 90), ("4", 10)), "X-User-Id").RoutingKey);
    }

    [Theory]
    [InlineData(90, 20, "sum to 100 (they sum to 110)")]
    [InlineData(90, 9, "sum to 100 (they sum to 99)")]
    [InlineData(110, -10, "from 0 to 100 (was 110)")]
    [InlineData(100, -0, null)]
    public void Create_BadWeights_AreBadRequestNamingTraffic(int first, int second, string? expected)
    {
        if (expected is null)
        {
            Assert.True(AliasTrafficRules.Create(W(("3", first), ("4", second)), null).IsSplit);
            return;
        }

        var error = Assert.Throws<ServingException>(() => AliasTrafficRules.Create(W(("3", first), ("4", second)), null));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.StartsWith("'traffic'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Create_MoreThanTenVersions_OrNone_IsBadRequest()
    {
        var eleven = Enumerable.Range(1, 11).Select(i => new KeyValuePair<string, int>($"{i}", i == 1 ? 90 : 1)).ToList();

        Assert.Contains("1 to 10 versions (was 11)", Assert.Throws<ServingException>(() => AliasTrafficRules.Create(eleven, null)).Message);
        Assert.Contains("1 to 10 versions (was 0)", Assert.Throws<ServingException>(() => AliasTrafficRules.Create([], null)).Message);
    }

    [Fact]
    public void Create_DuplicateOrInvalidVersion_IsBadRequestNamingIt()
    {
        Assert.Contains("more than once", Assert.Throws<ServingException>(() => AliasTrafficRules.Create(W(("3", 50), ("3", 50)), null)).Message);
        var bad = Assert.Throws<ServingException>(() => AliasTrafficRules.Create(W(("../x" + new string('y', 100), 50), ("3", 50)), null));
        Assert.StartsWith("'traffic' must be a valid version", bad.Message);
        Assert.True(bad.Message.Length < 250);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x user")]
    [InlineData("x-user:id")]
    [InlineData("x-ü")]
    [InlineData("x\r\ny")]
    public void Create_BadRoutingKey_IsBadRequestNamingRoutingKey(string routingKey)
    {
        var error = Assert.Throws<ServingException>(() => AliasTrafficRules.Create(W(("3", 90), ("4", 10)), routingKey));

        Assert.StartsWith("'routing_key' must be an HTTP header name", error.Message);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("cookie")]
    [InlineData("x-functions-key")]
    [InlineData("X-MS-CLIENT-PRINCIPAL-NAME")]
    public void Create_CredentialHeaderAsRoutingKey_IsBadRequest(string routingKey)
    {
        var error = Assert.Throws<ServingException>(() => AliasTrafficRules.Create(W(("3", 90), ("4", 10)), routingKey));

        Assert.StartsWith("'routing_key' must not be a header that carries credentials", error.Message);
    }

    [Fact]
    public void Create_RoutingKeyTooLong_IsBadRequest_WithoutEchoingItAll()
    {
        var error = Assert.Throws<ServingException>(() => AliasTrafficRules.Create(W(("3", 90), ("4", 10)), new string('k', 10_000)));

        Assert.True(error.Message.Length < 300);
    }

    [Fact]
    public void FromStored_RoundTripsTheSplit_AndReadsOldRowsAsOneVersion()
    {
        var traffic = AliasTrafficRules.Create(W(("3", 90), ("4", 10)), "x-user-id");

        Assert.Equal(traffic, AliasTrafficRules.FromStored(traffic.ToJson(), traffic.RoutingKey, traffic.Primary));
        Assert.Equal(AliasTraffic.Single("7"), AliasTrafficRules.FromStored(null, null, "7"));
    }

    private static List<KeyValuePair<string, int>> W(params (string Version, int Weight)[] weights) =>
        weights.Select(w => new KeyValuePair<string, int>(w.Version, w.Weight)).ToList();
}
