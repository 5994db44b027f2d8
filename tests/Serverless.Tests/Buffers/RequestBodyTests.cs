using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Tests.Support;

namespace Serverless.Tests.Buffers;

public sealed class RequestBodyTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadAsync_BodyUnderLimit_ReadsItExactly(bool sendContentLength)
    {
        var bytes = Bytes(1000);

        using var body = await RequestBody.ReadAsync(new MemoryStream(bytes), sendContentLength ? bytes.Length : null, 4096, CancellationToken.None);

        Assert.Equal(bytes.Length, body.Length);
        Assert.Equal(bytes, body.ToArray());
        Assert.True(body.Span.SequenceEqual(bytes));
        Assert.True(body.Memory.Span.SequenceEqual(bytes));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadAsync_BodyExactlyAtLimit_IsAccepted(bool sendContentLength)
    {
        var bytes = Bytes(4096);

        using var body = await RequestBody.ReadAsync(new TrickleStream(bytes, 100), sendContentLength ? bytes.Length : null, 4096, CancellationToken.None);

        Assert.Equal(bytes, body.ToArray());
    }

    [Fact]
    public async Task ReadAsync_ContentLengthOverLimit_ThrowsPayloadTooLargeBeforeReading()
    {
        var stream = new MemoryStream(Bytes(5000));

        var error = await Assert.ThrowsAsync<ServingException>(() => RequestBody.ReadAsync(stream, 5000, 4096, CancellationToken.None).AsTask());

        Assert.Equal(ServingErrorKind.PayloadTooLarge, error.Kind);
        Assert.Equal(413, error.StatusCode);
        Assert.Equal(0, stream.Position);
    }

    [Theory]
    [InlineData(4097)]
    [InlineData(100_000)]
    public async Task ReadAsync_BodyOverLimitWithoutContentLength_ThrowsPayloadTooLarge(int size)
    {
        var error = await Assert.ThrowsAsync<ServingException>(
            () => RequestBody.ReadAsync(new TrickleStream(Bytes(size), 1000), null, 4096, CancellationToken.None).AsTask());

        Assert.Equal(ServingErrorKind.PayloadTooLarge, error.Kind);
    }

    [Fact]
    public async Task ReadAsync_ContentLengthUnderstatingAnOversizedBody_ThrowsPayloadTooLarge()
    {
        var error = await Assert.ThrowsAsync<ServingException>(
            () => RequestBody.ReadAsync(new MemoryStream(Bytes(5000)), 10, 4096, CancellationToken.None).AsTask());

        Assert.Equal(ServingErrorKind.PayloadTooLarge, error.Kind);
    }

    [Fact]
    public async Task ReadAsync_BodyLargerThanTheInitialBuffer_GrowsAndReadsItExactly()
    {
        var bytes = Bytes(300_000);

        using var body = await RequestBody.ReadAsync(new TrickleStream(bytes, 7_000), null, 1_000_000, CancellationToken.None);

        Assert.Equal(bytes, body.ToArray());
    }

    [Fact]
    public async Task ReadAsync_LargeBodyExactlyAtLimitWithoutContentLength_IsAccepted()
    {
        var bytes = Bytes(50_000);

        using var body = await RequestBody.ReadAsync(new TrickleStream(bytes, 4_000), null, 50_000, CancellationToken.None);

        Assert.Equal(bytes, body.ToArray());
    }

    [Fact]
    public async Task ReadAsync_EmptyBody_HasLengthZero()
    {
        using var body = await RequestBody.ReadAsync(new MemoryStream(), 0, 4096, CancellationToken.None);

        Assert.Equal(0, body.Length);
        Assert.Empty(body.ToArray());
    }

    [Fact]
    public async Task ReadAsync_LargeContentLengthButFewBytesSent_AllocatesForTheBytesNotTheDeclaredLength()
    {
        var stream = new TrickleStream(Bytes(10), 8_000);

        using var body = await RequestBody.ReadAsync(stream, 32L * 1024 * 1024, 100L * 1024 * 1024, CancellationToken.None);

        Assert.Equal(10, body.Length);
        Assert.InRange(stream.LargestRead, 1, RequestBody.InitialBytes);
    }

    [Fact]
    public async Task ReadAsync_BodyLargerThanTheInitialBuffer_GrowsWithTheDataThatArrives()
    {
        var bytes = Bytes(300_000);
        var stream = new TrickleStream(bytes, 8_000);

        using var body = await RequestBody.ReadAsync(stream, 32L * 1024 * 1024, 100L * 1024 * 1024, CancellationToken.None);

        Assert.Equal(bytes, body.ToArray());
        Assert.InRange(stream.LargestRead, 1, 2 * bytes.Length);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    public async Task ReadAsync_BodyOfExactlyItsContentLength_ReadsItExactly(int size)
    {
        var bytes = Bytes(size);

        using var body = await RequestBody.ReadAsync(new TrickleStream(bytes, 5_000), size, 1_000_000, CancellationToken.None);

        Assert.Equal(bytes, body.ToArray());
    }

    [Fact]
    public async Task ReadAsync_BodyLongerThanItsContentLength_ReadsEveryByte()
    {
        var bytes = Bytes(70_000);

        using var body = await RequestBody.ReadAsync(new TrickleStream(bytes, 5_000), 16, 1_000_000, CancellationToken.None);

        Assert.Equal(bytes, body.ToArray());
    }

    private static byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
