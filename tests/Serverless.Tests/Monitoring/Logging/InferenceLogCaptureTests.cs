using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogCaptureTests
{
    [Fact]
    public void RequestId_HeaderIsUsedWhenValidOtherwiseANewIdIsSettled()
    {
        using var harness = new LoggingHarness();

        var fromHeader = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, "client-42");
        var badHeader = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, "bad\nid");
        var tooLong = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, new string('a', RequestIds.MaxLength + 1));
        var none = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, null);

        Assert.Equal("client-42", fromHeader.EnsureRequestId());
        Assert.Matches("^[0-9a-f]{32}$", badHeader.EnsureRequestId());
        Assert.Matches("^[0-9a-f]{32}$", tooLong.EnsureRequestId());
        Assert.Matches("^[0-9a-f]{32}$", none.EnsureRequestId());
        Assert.Equal(none.RequestId, none.EnsureRequestId());
    }

    [Fact]
    public void RequestId_OipBodyIdWinsOverTheHeader()
    {
        using var harness = new LoggingHarness();

        var withBody = harness.Logger.Begin(InferenceLogSource.Infer, "m", null, "from-header");
        var withoutBody = harness.Logger.Begin(InferenceLogSource.Infer, "m", null, "from-header");

        Assert.Equal("from-body", withBody.ResolveRequestId("from-body"));
        Assert.Equal("from-header", withoutBody.ResolveRequestId(null));
    }

    [Fact]
    public void Timestamps_AreUniqueAndIncreasingEvenWithinOneClockTick()
    {
        using var harness = new LoggingHarness(time: new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));

        var stamps = Enumerable.Range(0, 100).Select(_ => harness.Logger.Begin(InferenceLogSource.Predict, "m", null, null).TimestampUtc.UtcTicks).ToArray();

        Assert.Equal(stamps.Order(), stamps);
        Assert.Equal(100, stamps.Distinct().Count());
    }

    [Fact]
    public void SampleRates_PerModelOverrideTheDefaultAndDecideOnTheRequestId()
    {
        var options = new InferenceLogOptions { SampleRate = 1.0 };
        options.SampleRates["quiet"] = 0.0;
        options.SampleRates["half"] = 0.5;
        using var harness = new LoggingHarness(options);

        var loud = Captures.Complete(harness.Logger, "loud", 2);
        var quiet = Captures.Complete(harness.Logger, "QUIET", 2);
        var ids = Enumerable.Range(0, 200).Select(i => $"id-{i}").ToArray();
        var half = ids.Select(id => Captures.Complete(harness.Logger, "half", 1, id)).ToArray();

        Assert.True(loud.IsRecording);
        Assert.False(quiet.IsRecording);
        Assert.All(half, c => Assert.Equal(InferenceLogKeys.IsSampled(c.RequestId!, 0.5), c.IsRecording));
        var logged = half.Count(c => c.IsRecording);
        Assert.InRange(logged, 60, 140);
        Assert.Equal(2 + logged, harness.Buffer.Counters.Enqueued);
        Assert.Equal(1 + (200 - logged), harness.Buffer.Counters.SampledOutRequests);
    }

    [Fact]
    public void Fail_BuffersOneErrorRecordButNotForACancelledRequest()
    {
        using var harness = new LoggingHarness();

        var failed = harness.Logger.Begin(InferenceLogSource.Predict, "m", "2", null);
        harness.Logger.Fail(failed, ServingException.BadRequest("row 0, feature 'age': missing"));
        var cancelled = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, null);
        harness.Logger.Fail(cancelled, new OperationCanceledException());

        Assert.Equal(1, harness.Buffer.Counters.Enqueued);
        Assert.True(harness.Buffer.TryRead(out var record));
        Assert.Same(failed, record);
        Assert.Equal(InferenceLogStatus.Error, record.Status);
        Assert.Equal(1, record.RecordCount);
        Assert.NotNull(cancelled.RequestId);
    }
}
