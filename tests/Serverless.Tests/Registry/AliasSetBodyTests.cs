using System.Text;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Functions.Registry;

namespace Serverless.Tests.Registry;

/// <summary>The body of PUT alias: the one-version form, a split, and the ways a split body is refused (each a 400 naming the field).</summary>
public sealed class AliasSetBodyTests
{
    [Fact]
    public async Task Read_VersionForm_IsOneVersion_WithReason()
    {
        var (traffic, reason) = await ReadAsync("""{"version": 3, "reason": "better"}""");

        Assert.Equal(AliasTraffic.Single("3"), traffic);
        Assert.Equal("better", reason);
    }

    [Fact]
    public async Task Read_Split_WithRoutingKey()
    {
        var (traffic, _) = await ReadAsync("""{"traffic": {"3": 90, "4": 10}, "routing_key": "x-user-id"}""");

        Assert.Equal([new TrafficShare("3", 90), new TrafficShare("4", 10)], traffic.Shares);
        Assert.Equal("x-user-id", traffic.RoutingKey);
    }

    [Theory]
    [InlineData("""{"traffic": {"3": 90, "4": 20}}""", "'traffic': the weights must sum to 100")]
    [InlineData("""{"traffic": {"3": 110, "4": -10}}""", "whole number from 0 to 100 (was 110)")]
    [InlineData("""{"traffic": {"3": 90.5, "4": 9.5}}""", "whole number from 0 to 100 (was '90.5')")]
    [InlineData("""{"traffic": {"3": "90", "4": 10}}""", "whole number from 0 to 100")]
    [InlineData("""{"traffic": {"3": 1e2}}""", "whole number from 0 to 100")]
    [InlineData("""{"traffic": {"3": 99999999999999999999, "4": 0}}""", "whole number from 0 to 100")]
    [InlineData("""{"traffic": {}}""", "1 to 10 versions (was 0)")]
    [InlineData("""{"traffic": [90, 10]}""", "'traffic' must be an object")]
    [InlineData("""{"traffic": {"3": 50, "3": 50}}""", "more than once")]
    [InlineData("""{"traffic": {"3": 90, "4": 10}, "routing_key": "x user"}""", "'routing_key' must be an HTTP header name")]
    [InlineData("""{"traffic": {"3": 90, "4": 10}, "routing_key": 7}""", "'routing_key' must be a header name as a string")]
    [InlineData("""{"version": "3", "routing_key": "x-user-id"}""", "'routing_key' applies to a 'traffic' split only")]
    [InlineData("""{"version": "3", "traffic": {"3": 100}}""", "not both")]
    [InlineData("""{"reason": "no target"}""", "with a 'version'")]
    public async Task Read_BadBody_IsBadRequestNamingTheField(string body, string expected)
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => ReadAsync(body));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Read_Mirror_OnOneVersionOrASplit_IsStoredWithTheTraffic()
    {
        var (one, _) = await ReadAsync("""{"version": "3", "mirror": {"version": "5", "percent": 50}}""");
        var (split, _) = await ReadAsync("""{"traffic": {"3": 90, "4": 10}, "mirror": {"version": 5, "percent": 100}}""");
        var (none, _) = await ReadAsync("""{"version": "3", "mirror": null}""");

        Assert.Equal(new AliasMirror("5", 50), one.Mirror);
        Assert.Equal("3", one.Primary);
        Assert.Equal(new AliasMirror("5", 100), split.Mirror);
        Assert.Equal([new TrafficShare("3", 90), new TrafficShare("4", 10)], split.Shares);
        Assert.Null(none.Mirror);
        Assert.Equal(AliasTraffic.Single("3"), none);
    }

    [Theory]
    [InlineData("""{"version": "3", "mirror": {"version": "5", "percent": 0}}""", "'mirror': 'percent' must be a whole number from 1 to 100 (was 0)")]
    [InlineData("""{"version": "3", "mirror": {"version": "5", "percent": 101}}""", "'mirror': 'percent' must be a whole number from 1 to 100 (was 101)")]
    [InlineData("""{"version": "3", "mirror": {"version": "5", "percent": 50.5}}""", "'mirror': 'percent' must be a whole number from 1 to 100 (was '50.5')")]
    [InlineData("""{"version": "3", "mirror": {"version": "5"}}""", "'mirror': 'percent' must be a whole number from 1 to 100 (was absent)")]
    [InlineData("""{"version": "3", "mirror": {"percent": 10}}""", "'mirror' needs a 'version'")]
    [InlineData("""{"version": "3", "mirror": {"version": "bad version", "percent": 10}}""", "mirror")]
    [InlineData("""{"version": "3", "mirror": {"version": "5", "percent": 10, "routing": "x"}}""", "'mirror' takes 'version' and 'percent' only")]
    [InlineData("""{"version": "3", "mirror": "5"}""", "'mirror' must be an object")]
    [InlineData("""{"version": "3", "mirror": {"version": "3", "percent": 10}}""", "'mirror': version '3' already serves the alias's traffic")]
    [InlineData("""{"traffic": {"3": 100, "4": 0}, "mirror": {"version": "4", "percent": 10}}""", "'mirror': version '4' already serves the alias's traffic")]
    public async Task Read_BadMirror_IsBadRequestNamingMirror(string body, string expected)
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => ReadAsync(body));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Read_HugeNumberOfVersions_StopsAtTheLimit_WithoutEchoingThem()
    {
        var entries = string.Join(", ", Enumerable.Range(0, 5000).Select(i => $"\"v{i}\": 0"));

        var error = await Assert.ThrowsAsync<ServingException>(() => ReadAsync("{\"traffic\": {" + entries + "}}"));

        Assert.Contains($"1 to {AliasTraffic.MaxVersions} versions (was more)", error.Message);
        Assert.True(error.Message.Length < 200);
    }

    [Fact]
    public async Task Read_HugeVersionName_IsRefused_QuotedShort()
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => ReadAsync("{\"traffic\": {\"" + new string('9', 20_000) + "\": 100}}"));

        Assert.True(error.Message.Length < 300);
    }

    private static async Task<(AliasTraffic Traffic, string? Reason)> ReadAsync(string json)
    {
        using var body = await RequestBody.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), null, 64 * 1024, default);
        return AliasSetBody.Read(body);
    }
}
