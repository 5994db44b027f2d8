using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class WarmupTokenTests
{
    [Fact]
    public async Task WarmupRequest_IsCapturedLikeARealOne_ButNeverBuffered_AnyOtherTokenIs()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 50 });
        await harness.Writer.StartAsync(CancellationToken.None);
        var logger = harness.Logger;

        var warmup = logger.Begin(InferenceLogSource.Infer, "m", null, "w", logger.WarmupToken);
        var claimed = logger.Begin(InferenceLogSource.Infer, "m", null, "c", "1");
        Assert.True(warmup.IsRecording); // the capture code runs (and is compiled) during warm-up
        Assert.True(claimed.IsRecording);
        foreach (var capture in new[] { warmup, claimed })
        {
            capture.RecordTabular(Captures.Version("m"), Captures.Batch(1), Captures.Predictions(1));
            logger.Complete(capture);
        }

        logger.Fail(logger.Begin(InferenceLogSource.Infer, "m", null, "w2", logger.WarmupToken), new InvalidOperationException("warm-up failed"));
        await harness.SettleAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        var records = harness.Sink.Records();
        Assert.Equal(["c"], records.Select(r => r.RequestId));
        Assert.Equal(0, logger.Counters.SampledOutRequests);
    }

    [Fact]
    public void WarmupToken_IsSecretPerProcessInstance()
    {
        using var first = new LoggingHarness();
        using var second = new LoggingHarness();

        Assert.Matches("^[0-9A-F]{32}$", first.Logger.WarmupToken);
        Assert.NotEqual(first.Logger.WarmupToken, second.Logger.WarmupToken);
        Assert.False(first.Logger.IsWarmup(second.Logger.WarmupToken));
        Assert.True(first.Logger.IsWarmup(first.Logger.WarmupToken));
    }
}
