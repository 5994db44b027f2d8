using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogRehearsalTests
{
    [Fact]
    public void Pack_WarmupCaptures_PacksUpToTheLimitThenNothing()
    {
        using var harness = new LoggingHarness();
        var rehearsal = new InferenceLogRehearsal(new InferenceLogOptions());

        var packed = 0;
        for (var i = 0; i < InferenceLogRehearsal.MaxCaptures + 10; i++)
        {
            var capture = harness.Logger.Begin(InferenceLogSource.Infer, "m", null, $"w{i}", harness.Logger.WarmupToken);
            capture.RecordTabular(Captures.Version("m"), Captures.Batch(3), Captures.Predictions(3));
            packed += rehearsal.Pack(capture) ? 1 : 0;
        }

        Assert.Equal(InferenceLogRehearsal.MaxCaptures, packed);
        Assert.Equal(0, harness.Logger.Counters.Enqueued);
    }
}
