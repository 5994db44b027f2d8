using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;

namespace Serverless.Tests.Training.Tracking;

public sealed class TrackingLimitsTests
{
    [Theory]
    [InlineData("loss")]
    [InlineData("train/loss")]
    [InlineData("a b:c-d.e_f")]
    public void Key_MlflowsKeySyntax_IsAccepted(string key)
    {
        Assert.Equal(key, TrackingLimits.Key(key, "key"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../up")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("semi;colon")]
    [InlineData("new\nline")]
    public void Key_OutsideMlflowsSyntax_IsBadRequest(string key)
    {
        Assert.Equal(ServingErrorKind.BadRequest, Assert.Throws<ServingException>(() => TrackingLimits.Key(key, "key")).Kind);
    }

    [Fact]
    public void Key_Over250Characters_IsBadRequestNamingTheLength()
    {
        var error = Assert.Throws<ServingException>(() => TrackingLimits.Key(new string('k', 251), "key"));

        Assert.Contains("250", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1234)]
    public void PageToken_RoundTripsTheOffset(int offset)
    {
        Assert.Equal(offset, TrackingLimits.Offset(TrackingLimits.NextToken(offset, int.MaxValue)));
    }

    [Fact]
    public void NextToken_PastTheEnd_IsNull()
    {
        Assert.Null(TrackingLimits.NextToken(10, 10));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bm90IGpzb24=")]
    [InlineData("eyJvZmZzZXQiOiAtMX0=")]
    [InlineData("eyJvdGhlciI6IDF9")]
    public void Offset_OfATokenNotHandedOut_IsBadRequest(string token)
    {
        Assert.Equal(ServingErrorKind.BadRequest, Assert.Throws<ServingException>(() => TrackingLimits.Offset(token)).Kind);
    }

    [Fact]
    public void RowKeyPart_EscapesCharactersTableKeysRefuse()
    {
        Assert.Equal("a%2Fb%5Cc%23d%3Fe%7Cf%25", TrackingLimits.RowKeyPart("a/b\\c#d?e|f%"));
    }

    [Fact]
    public void Sortable_OrdersAsTheNumbers()
    {
        long[] values = [long.MinValue, -5, -1, 0, 1, 42, long.MaxValue];

        Assert.Equal(values.Select(TrackingLimits.Sortable), values.Select(TrackingLimits.Sortable).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("a/../b")]
    [InlineData("./a")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("a/%2e%2e/b")]
    [InlineData("a/..%2Fb")]
    [InlineData("a/\u0001")]
    public void ArtifactPath_Traversal_IsBadRequest(string path)
    {
        Assert.Equal(ServingErrorKind.BadRequest, Assert.Throws<ServingException>(() => ArtifactStore.CheckPath(path)).Kind);
    }

    [Theory]
    [InlineData("mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts")]
    [InlineData("mlflow-artifacts://host:5000/1/abc/artifacts/", "1/abc/artifacts")]
    public void PathOf_ProxiedUri_IsItsPath(string uri, string path)
    {
        Assert.Equal(path, ArtifactStore.PathOf(uri));
    }

    [Fact]
    public void PathOf_OtherScheme_IsNull()
    {
        Assert.Null(ArtifactStore.PathOf("s3://bucket/1/abc"));
    }

    [Fact]
    public async Task LimitedReadStream_PastTheLimit_IsPayloadTooLarge()
    {
        var stream = new LimitedReadStream(new MemoryStream(new byte[100]), 64);

        var error = await Assert.ThrowsAsync<ServingException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Equal(ServingErrorKind.PayloadTooLarge, error.Kind);
    }

    [Fact]
    public async Task LimitedReadStream_AtTheLimit_ReadsEverything()
    {
        var stream = new LimitedReadStream(new MemoryStream(new byte[64]), 64);

        await stream.CopyToAsync(Stream.Null);

        Assert.Equal(64, stream.BytesRead);
    }

    [Fact]
    public void LoggedMetric_Latest_IsGreatestStepThenTimestampThenValue()
    {
        Assert.True(new LoggedMetric("m", 0, 1, 2).IsLaterThan(new LoggedMetric("m", 9, 9, 1)));
        Assert.True(new LoggedMetric("m", 0, 2, 1).IsLaterThan(new LoggedMetric("m", 9, 1, 1)));
        Assert.True(new LoggedMetric("m", 2, 1, 1).IsLaterThan(new LoggedMetric("m", 1, 1, 1)));
        Assert.False(new LoggedMetric("m", 1, 1, 1).IsLaterThan(new LoggedMetric("m", 1, 1, 1)));
    }
}
