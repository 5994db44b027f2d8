using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogBufferTests
{
    [Fact]
    public async Task Complete_WhenTheBufferIsFull_DropsTheRequestsRowsAndCountsThemWithoutWaiting()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { BufferCapacity = 10 });
        Captures.Complete(harness.Logger, "m", 4);
        Captures.Complete(harness.Logger, "m", 4);

        // No writer runs, so the buffer never gets room again: completing has to drop, or it would wait forever.
        var overflowing = Task.Run(() =>
        {
            Captures.Complete(harness.Logger, "m", 4);
            Captures.Complete(harness.Logger, "m", 2);
            Captures.Complete(harness.Logger, "m", 1);
        });
        await overflowing.WaitAsync(LoggingHarness.HangGuard);

        var counters = harness.Buffer.Counters;
        Assert.Equal(10, counters.Enqueued);
        Assert.Equal(5, counters.Dropped);
        Assert.Equal(10, counters.Pending);
        Assert.Equal(0, counters.Written);
    }

    [Fact]
    public async Task Complete_AfterTheWriterDrained_HasRoomAgain()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { BufferCapacity = 5, FlushIntervalMs = 10 });
        await harness.Writer.StartAsync(CancellationToken.None);

        Captures.Complete(harness.Logger, "m", 5);
        await harness.SettleAsync();
        Captures.Complete(harness.Logger, "m", 5);
        await harness.SettleAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        Assert.Equal(new InferenceLogCounters(10, 10, 0, 0, 0, 0), harness.Buffer.Counters);
    }

    [Fact]
    public async Task Complete_AfterStop_IsDroppedAndCounted()
    {
        using var harness = new LoggingHarness();
        await harness.Writer.StartAsync(CancellationToken.None);
        await harness.Writer.StopAsync(CancellationToken.None);

        Captures.Complete(harness.Logger, "m", 3);

        Assert.Equal(3, harness.Buffer.Counters.Dropped);
        Assert.Equal(0, harness.Buffer.Counters.Enqueued);
    }

    [Fact]
    public void Complete_WithLoggingDisabled_BuffersNothingButStillSettlesTheRequestId()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { Enabled = false });

        var capture = Captures.Complete(harness.Logger, "m", 3);

        Assert.False(capture.IsRecording);
        Assert.Equal(32, capture.RequestId!.Length);
        Assert.Equal(default, harness.Buffer.Counters);
    }
}
