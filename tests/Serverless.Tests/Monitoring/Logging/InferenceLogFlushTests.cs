using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>
/// <see cref="InferenceLogWriter.FlushAsync"/>: a monitoring run or a feedback call makes this instance's recent traffic
/// visible first. The flush interval is an hour here, so only the flush can have written the records.
/// </summary>
public sealed class InferenceLogFlushTests
{
    private static readonly InferenceLogOptions HourlyFlush = new() { FlushIntervalMs = 3_600_000 };

    [Fact]
    public async Task Flush_RecordsHeldForTheInterval_AreWrittenBeforeItCompletes()
    {
        using var harness = new LoggingHarness(HourlyFlush);
        await harness.Writer.StartAsync(CancellationToken.None);
        Captures.Complete(harness.Logger, "m", 3, "req-1");
        Captures.Complete(harness.Logger, "m", 2, "req-2");

        await harness.Writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(5, harness.Sink.RecordCount);
        await harness.Writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_NothingLogged_Completes()
    {
        using var harness = new LoggingHarness(HourlyFlush);
        await harness.Writer.StartAsync(CancellationToken.None);

        await harness.Writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, harness.Sink.RecordCount);
        await harness.Writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_ManyCallersAtOnceAndAgainLater_AllComplete_EachSeesWhatCameBeforeIt()
    {
        using var harness = new LoggingHarness(HourlyFlush);
        await harness.Writer.StartAsync(CancellationToken.None);
        Captures.Complete(harness.Logger, "m", 1, "a");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => harness.Writer.FlushAsync())).WaitAsync(TimeSpan.FromSeconds(30));
        var afterFirst = harness.Sink.RecordCount;
        Captures.Complete(harness.Logger, "m", 4, "b");
        await harness.Writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, afterFirst);
        Assert.Equal(5, harness.Sink.RecordCount);
        await harness.Writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_WriterNotStartedOrStopped_CompletesAtOnce()
    {
        using var harness = new LoggingHarness(HourlyFlush);

        Assert.True(harness.Writer.FlushAsync().IsCompleted);
        await harness.Writer.StartAsync(CancellationToken.None);
        await harness.Writer.StopAsync(CancellationToken.None);
        await harness.Writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
