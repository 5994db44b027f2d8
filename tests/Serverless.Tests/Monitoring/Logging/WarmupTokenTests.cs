using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class WarmupTokenTests
{
    [Fact]
    public void Begin_WithTheProcessWarmupToken_DoesNotRecord_AnyOtherValueDoes()
    {
        using var harness = new LoggingHarness();
        var logger = harness.Logger;

        var warmup = logger.Begin(InferenceLogSource.Infer, "m", null, "w", logger.WarmupToken);
        var claimed = logger.Begin(InferenceLogSource.Infer, "m", null, "c", "1");
        var plain = logger.Begin(InferenceLogSource.Infer, "m", null, "p");

        Assert.False(warmup.IsRecording);
        Assert.True(claimed.IsRecording);
        Assert.True(plain.IsRecording);
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
