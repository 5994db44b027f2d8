using Serverless.Local.Durable;

namespace Serverless.Tests.LocalRunner;

public sealed class OrchestrationEndSignalsTests
{
    [Fact]
    public void Signal_InstanceBeingWaitedOn_CompletesTheWaitAndDropsTheEntry()
    {
        var signals = new OrchestrationEndSignals();
        var ending = signals.Ending("a");
        var other = signals.Ending("b");

        signals.Signal("a");

        Assert.True(ending.IsCompletedSuccessfully);
        Assert.False(other.IsCompleted);
        Assert.Equal(1, signals.Count);
    }

    [Fact]
    public void Ending_TwoWaitersOnOneInstance_ShareTheSignal()
    {
        var signals = new OrchestrationEndSignals();
        var first = signals.Ending("a");
        var second = signals.Ending("a");

        signals.Signal("a");

        Assert.True(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully);
    }

    [Fact]
    public void Signal_NobodyWaiting_KeepsNothing()
    {
        var signals = new OrchestrationEndSignals();

        signals.Signal("a");

        Assert.Equal(0, signals.Count);
        Assert.False(signals.Ending("a").IsCompleted);
    }

    [Fact]
    public void Forget_WaiterGivesUp_DropsTheEntry()
    {
        var signals = new OrchestrationEndSignals();
        _ = signals.Ending("a");

        signals.Forget("a");

        Assert.Equal(0, signals.Count);
    }
}
