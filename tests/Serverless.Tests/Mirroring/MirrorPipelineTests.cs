using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Serverless.Core.Mirroring;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;
using Serverless.Tests.Monitoring.Logging;

namespace Serverless.Tests.Mirroring;

/// <summary>The request path's hand-off of mirror copies, their queue messages and the sender: every copy is sent or dropped and counted, never waited on.</summary>
public sealed class MirrorPipelineTests
{
    private static readonly ModelVersion Primary = Version("1");
    private static readonly ModelVersion Shadow = Version("5");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly MirrorCounters _counters = new();

    [Fact]
    public void Message_RoundTrips_WithTheBodyEmbeddedAsJson()
    {
        var copy = new MirrorCopy("churn", "5", InferenceLogSource.Predict, "req-1", _time.GetUtcNow(), """{"instances": [{"a": 1.5}]}"""u8.ToArray());

        var message = MirrorMessage.Encode(copy)!;
        var decoded = MirrorMessage.Decode(message);

        Assert.Contains("\"body\":{\"instances\": [{\"a\": 1.5}]}", Encoding.UTF8.GetString(message), StringComparison.Ordinal);
        Assert.Equal((copy.Model, copy.Version, copy.Source, copy.RequestId, copy.EnqueuedUtc), (decoded.Model, decoded.Version, decoded.Source, decoded.RequestId, decoded.EnqueuedUtc));
        Assert.Equal(copy.Body, decoded.Body);
    }

    [Fact]
    public void Message_BodyThatIsNotJson_RoundTripsAsBase64()
    {
        var copy = new MirrorCopy("churn", "5", InferenceLogSource.Infer, "req-2", _time.GetUtcNow(), [0xFF, 0x00, (byte)'{']);

        var decoded = MirrorMessage.Decode(MirrorMessage.Encode(copy)!);

        Assert.Equal(copy.Body, decoded.Body);
    }

    [Fact]
    public void Message_OverTheQueueLimit_IsRefused_NeverTruncated()
    {
        var body = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("1", (MirrorMessage.MaxBytes / 2) - 150)) + "]");
        var justUnder = new MirrorCopy("churn", "5", InferenceLogSource.Infer, "r", _time.GetUtcNow(), body);
        // Under the limit as a body, over it with the message's own fields.
        var over = justUnder with { Body = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("1", (MirrorMessage.MaxBytes / 2) - 40)) + "]") };

        Assert.True(over.Body.Length < MirrorMessage.MaxBytes);
        Assert.True(MirrorMessage.Encode(justUnder)!.Length <= MirrorMessage.MaxBytes);
        Assert.Null(MirrorMessage.Encode(over));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"model": "churn"}""")]
    [InlineData("not json")]
    public void Message_Malformed_IsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => MirrorMessage.Decode(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Offer_MirroredRoute_CopiesTheBodyUnderThePrimarysRequestId()
    {
        using var harness = new LoggingHarness();
        var dispatcher = Dispatcher(capacity: 10);
        var log = harness.Logger.Begin(InferenceLogSource.Predict, "churn", null, "req-7");
        var body = "{\"instances\": []}"u8.ToArray();

        dispatcher.Offer(ModelRoute.Single(Primary).WithMirror(Shadow, 100), InferenceLogSource.Predict, log, body);
        body[0] = (byte)'X';

        Assert.True(dispatcher.Reader.TryRead(out var copy));
        Assert.Equal(("churn", "5", "predict", "req-7"), (copy.Model, copy.Version, copy.Source, copy.RequestId));
        Assert.Equal("{\"instances\": []}"u8.ToArray(), copy.Body);
        Assert.False(_counters.Any);
    }

    [Fact]
    public void Offer_UnmirroredRouteOrWarmup_CopiesNothing()
    {
        using var harness = new LoggingHarness();
        var dispatcher = Dispatcher(capacity: 10);

        dispatcher.Offer(ModelRoute.Single(Primary), InferenceLogSource.Infer, harness.Logger.Begin(InferenceLogSource.Infer, "churn", null, null), "{}"u8);
        dispatcher.Offer(ModelRoute.Single(Primary).WithMirror(Shadow, 100), InferenceLogSource.Infer,
            harness.Logger.Begin(InferenceLogSource.Infer, "churn", null, null, harness.Logger.WarmupToken), "{}"u8);

        Assert.False(dispatcher.Reader.TryRead(out _));
    }

    [Fact]
    public void Offer_ChannelFull_DropsAndCountsQueueFull_WithoutWaiting()
    {
        using var harness = new LoggingHarness();
        var dispatcher = Dispatcher(capacity: 2);
        var route = ModelRoute.Single(Primary).WithMirror(Shadow, 100);

        for (var i = 0; i < 5; i++)
        {
            dispatcher.Offer(route, InferenceLogSource.Infer, harness.Logger.Begin(InferenceLogSource.Infer, "churn", null, $"r{i}"), "{}"u8);
        }

        Assert.Equal(3, _counters.Dropped(MirrorDropReasons.QueueFull));
        Assert.Equal(0, _counters.Dropped(MirrorDropReasons.TooLarge));
    }

    [Fact]
    public void Offer_PastTheCopiesPerSecond_DropsAndCountsRateLimited_UntilTheNextSecond()
    {
        using var harness = new LoggingHarness();
        var dispatcher = Dispatcher(capacity: 100, maxPerSecond: 3);
        var route = ModelRoute.Single(Primary).WithMirror(Shadow, 100);
        void Offer(int i) => dispatcher.Offer(route, InferenceLogSource.Infer, harness.Logger.Begin(InferenceLogSource.Infer, "churn", null, $"r{i}"), "{}"u8);

        for (var i = 0; i < 5; i++)
        {
            Offer(i);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Offer(5);

        Assert.Equal(2, _counters.Dropped(MirrorDropReasons.RateLimited));
        var sent = 0;
        while (dispatcher.Reader.TryRead(out _))
        {
            sent++;
        }

        Assert.Equal(4, sent);
    }

    [Fact]
    public void Offer_BodyOverTheMessageLimit_DropsAndCountsTooLarge()
    {
        using var harness = new LoggingHarness();
        var dispatcher = Dispatcher(capacity: 10);

        dispatcher.Offer(ModelRoute.Single(Primary).WithMirror(Shadow, 100), InferenceLogSource.Infer,
            harness.Logger.Begin(InferenceLogSource.Infer, "churn", null, null), new byte[MirrorMessage.MaxBytes + 1]);

        Assert.Equal(1, _counters.Dropped(MirrorDropReasons.TooLarge));
        Assert.False(dispatcher.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Sender_QueueFails_CountsUnavailable_AndDropsWithoutTryingUntilTheRetryInterval()
    {
        var client = new Mock<QueueClient>();
        client.Setup(c => c.CreateIfNotExistsAsync(It.IsAny<IDictionary<string, string>>(), It.IsAny<CancellationToken>())).ReturnsAsync((Response)null!);
        client.Setup(c => c.SendMessageAsync(It.IsAny<BinaryData>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(503, "down"));
        var sender = Sender(client.Object);

        await sender.SendAsync(Copy(), default);
        await sender.SendAsync(Copy(), default);
        _time.Advance(TimeSpan.FromSeconds(6));
        await sender.SendAsync(Copy(), default);

        Assert.Equal(3, _counters.Dropped(MirrorDropReasons.Unavailable));
        Assert.Equal(0, _counters.Sent);
        client.Verify(c => c.SendMessageAsync(It.IsAny<BinaryData>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Sender_QueueAnswers_SendsTheEncodedMessage_AndCountsIt()
    {
        BinaryData? sent = null;
        var client = new Mock<QueueClient>();
        client.Setup(c => c.CreateIfNotExistsAsync(It.IsAny<IDictionary<string, string>>(), It.IsAny<CancellationToken>())).ReturnsAsync((Response)null!);
        client.Setup(c => c.SendMessageAsync(It.IsAny<BinaryData>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .Callback<BinaryData, TimeSpan?, TimeSpan?, CancellationToken>((m, _, _, _) => sent = m)
            .ReturnsAsync((Response<SendReceipt>)null!);

        await Sender(client.Object).SendAsync(Copy(), default);

        Assert.Equal(1, _counters.Sent);
        Assert.Equal("req-9", MirrorMessage.Decode(sent!.ToMemory()).RequestId);
    }

    private MirrorCopy Copy() => new("churn", "5", InferenceLogSource.Infer, "req-9", _time.GetUtcNow(), "{}"u8.ToArray());

    private MirrorDispatcher Dispatcher(int capacity, int maxPerSecond = 1000) =>
        new(Options.Create(new MirrorOptions { Capacity = capacity, MaxCopiesPerSecond = maxPerSecond }), _counters, _time);

    private MirrorSender Sender(QueueClient client) => new(Dispatcher(10), new MirrorQueue(() => client), _counters,
        Options.Create(new MirrorOptions { RetryAfterSeconds = 5 }), _time, NullLogger<MirrorSender>.Instance);

    private static ModelVersion Version(string version) =>
        new("churn", version, new string('0', 64), 1, DateTimeOffset.UnixEpoch, null, [], [], $"churn/{version}/model.onnx");
}
