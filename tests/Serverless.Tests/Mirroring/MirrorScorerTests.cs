using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Mirroring;
using Serverless.Core.Monitoring.Logging;
using Serverless.Tests.Monitoring.Logging;
using Serverless.Tests.Telemetry;

namespace Serverless.Tests.Mirroring;

/// <summary>The queue function's side: copies the queue kept too long are dropped as stale, and messages that are no mirror copies are dropped, never thrown into retries.</summary>
public sealed class MirrorScorerTests
{
    [Fact]
    public async Task Score_CopyOlderThanMaxAge_IsDroppedAndCountedStale_WithoutScoring()
    {
        using var harness = new LoggingHarness();
        var counters = new MirrorCounters();
        var scorer = Scorer(harness, counters);
        var old = new MirrorCopy("churn", "5", InferenceLogSource.Infer, "req-1", harness.Time.GetUtcNow(), "{}"u8.ToArray());
        harness.Time.Advance(TimeSpan.FromSeconds(301));

        var outcome = await scorer.ScoreAsync(MirrorMessage.Encode(old), default);

        Assert.Equal(MirrorOutcome.Stale, outcome);
        Assert.Equal(1, counters.Dropped(MirrorDropReasons.Stale));
        Assert.Equal((0, 0), (counters.Scored, counters.Failed));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"model": "churn", "version": "5", "source": "batch", "request_id": "r", "enqueued_utc": "2026-03-02T09:00:00Z", "body": {}}""")]
    public async Task Score_NotAMirrorCopy_IsMalformed_AndCompletes(string message)
    {
        using var harness = new LoggingHarness();

        var outcome = await Scorer(harness, new MirrorCounters()).ScoreAsync(Encoding.UTF8.GetBytes(message), default);

        Assert.Equal(MirrorOutcome.Malformed, outcome);
    }

    [Fact]
    public void MirrorCapture_IsNotCountedAsAServedRequest()
    {
        using var harness = new LoggingHarness();
        using var metrics = new MetricRecorder("model", "mirror-metrics");

        harness.Logger.Complete(harness.Logger.Begin(InferenceLogSource.Infer, "mirror-metrics", "5", "req-1", mirror: true));

        Assert.Empty(metrics.Of("serving.inference.requests"));
    }

    // The stale and malformed paths never reach the registry or the models.
    private static MirrorScorer Scorer(LoggingHarness harness, MirrorCounters counters) => new(null!, null!, null!, null!, harness.Logger, counters,
        Options.Create(new MirrorOptions { MaxAgeSeconds = 300 }), harness.Time, NullLogger<MirrorScorer>.Instance);
}
