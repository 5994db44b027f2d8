using Serverless.Core.Serving;

namespace Serverless.Tests.Serving;

public sealed class ServingReadinessTests
{
    [Fact]
    public async Task Complete_LastGate_WaitersWakeAlreadyReady()
    {
        for (var round = 0; round < 200; round++)
        {
            var readiness = new ServingReadiness();
            readiness.Register("pipeline");
            var seen = readiness.WhenCompleted(ServingReadiness.ModelsGate).ContinueWith(_ => readiness.IsReady, TaskScheduler.Default);

            readiness.Complete("pipeline");
            readiness.Complete(ServingReadiness.ModelsGate);

            Assert.True(await seen, $"round {round}: a waiter on the last gate woke before readiness was settled");
        }
    }

    [Fact]
    public void Complete_SameGateTwiceOrUnknownGate_ChangesNothing()
    {
        var readiness = new ServingReadiness();
        readiness.Register("pipeline");

        readiness.Complete(ServingReadiness.ModelsGate);
        readiness.Complete(ServingReadiness.ModelsGate);
        readiness.Complete("never-registered");

        Assert.False(readiness.IsReady);
        readiness.Complete("pipeline");
        Assert.True(readiness.IsReady);
        Assert.NotNull(readiness.StartupMs);
    }
}
