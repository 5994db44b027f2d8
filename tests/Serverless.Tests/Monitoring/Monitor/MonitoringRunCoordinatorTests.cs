using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary>Monitoring runs are single-flight: the same scope joins the run under way, another scope is refused.</summary>
public sealed class MonitoringRunCoordinatorTests
{
    [Fact]
    public async Task RunAsync_SameModelWhileRunning_JoinsTheRunningRun()
    {
        var runner = new SlowRunner();
        using var coordinator = Coordinator(runner);

        var first = coordinator.RunAsync("churn", CancellationToken.None);
        await runner.Started.Task;
        var second = coordinator.RunAsync("churn", CancellationToken.None);
        runner.Release.SetResult();

        var (a, b) = (await first, await second);
        Assert.Equal(1, runner.Calls);
        Assert.False(a.Joined);
        Assert.True(b.Joined);
        Assert.Same(a.Result, b.Result);
    }

    [Theory]
    [InlineData("churn", null)]
    [InlineData(null, "churn")]
    [InlineData("churn", "fraud")]
    public async Task RunAsync_OtherScopeWhileRunning_Is409NamingTheRun(string? running, string? requested)
    {
        var runner = new SlowRunner();
        using var coordinator = Coordinator(runner);
        var first = coordinator.RunAsync(running, CancellationToken.None);
        await runner.Started.Task;

        var refused = await Assert.ThrowsAsync<ServingException>(() => coordinator.RunAsync(requested, CancellationToken.None));

        Assert.Equal(409, refused.StatusCode);
        Assert.Contains(coordinator.Current!.Value.RunId, refused.Message);
        runner.Release.SetResult();
        await first;
        Assert.Equal(1, runner.Calls);
    }

    [Fact]
    public async Task RunScheduledAsync_WhileOneModelRuns_SkipsWithoutStartingASecondRun()
    {
        var runner = new SlowRunner();
        using var coordinator = Coordinator(runner);
        var first = coordinator.RunAsync("churn", CancellationToken.None);
        await runner.Started.Task;

        var scheduled = await coordinator.RunScheduledAsync(CancellationToken.None);

        Assert.Null(scheduled);
        runner.Release.SetResult();
        await first;
        Assert.Equal(1, runner.Calls);
    }

    [Fact]
    public async Task RunAsync_AfterTheRunEnds_StartsANewRun()
    {
        var runner = new SlowRunner();
        runner.Release.SetResult();
        using var coordinator = Coordinator(runner);

        var first = await coordinator.RunAsync(null, CancellationToken.None);
        var second = await coordinator.RunAsync(null, CancellationToken.None);

        Assert.Equal(2, runner.Calls);
        Assert.NotEqual(first.Result.RunId, second.Result.RunId);
        Assert.False(second.Joined);
        Assert.Null(coordinator.Current);
    }

    [Fact]
    public async Task RunAsync_FirstCallerGoesAway_TheRunGoesOnForTheOneWhoJoined()
    {
        var runner = new SlowRunner();
        using var coordinator = Coordinator(runner);
        using var leaving = new CancellationTokenSource();
        var first = coordinator.RunAsync("churn", leaving.Token);
        await runner.Started.Task;
        var second = coordinator.RunAsync("churn", CancellationToken.None);

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        runner.Release.SetResult();

        Assert.True((await second).Joined);
        Assert.False(runner.SawCancellation);
    }

    [Fact]
    public async Task RunAsync_RunFails_EveryCallerSeesItAndTheNextRunStarts()
    {
        var runner = new SlowRunner { Failure = new InvalidOperationException("storage down") };
        using var coordinator = Coordinator(runner);
        var first = coordinator.RunAsync(null, CancellationToken.None);
        await runner.Started.Task;
        var second = coordinator.RunAsync(null, CancellationToken.None);
        runner.Release.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        runner.Failure = null;
        Assert.False((await coordinator.RunAsync(null, CancellationToken.None)).Joined);
        Assert.Equal(2, runner.Calls);
    }

    [Fact]
    public async Task RunAsync_AnotherInstanceHoldsTheLock_Is409AndNothingRuns()
    {
        var runner = new SlowRunner();
        runner.Release.SetResult();
        using var coordinator = Coordinator(runner, new FakeLock { HeldElsewhere = true });

        var refused = await Assert.ThrowsAsync<ServingException>(() => coordinator.RunAsync("churn", CancellationToken.None));

        Assert.Equal(409, refused.StatusCode);
        Assert.Contains("another instance", refused.Message);
        Assert.Equal(0, runner.Calls);
        Assert.Null(coordinator.Current);
    }

    [Fact]
    public async Task RunAsync_HoldsTheLockForTheRunAndReleasesIt()
    {
        var runner = new SlowRunner();
        var runLock = new FakeLock();
        using var coordinator = Coordinator(runner, runLock);
        var run = coordinator.RunAsync(null, CancellationToken.None);
        await runner.Started.Task;

        Assert.Equal(1, runLock.Held);
        runner.Release.SetResult();
        await run;
        Assert.Equal(0, runLock.Held);
    }

    private static MonitoringRunCoordinator Coordinator(SlowRunner runner, FakeLock? runLock = null) =>
        new(runner, runLock ?? new FakeLock(), TimeProvider.System, NullLogger<MonitoringRunCoordinator>.Instance);
}
