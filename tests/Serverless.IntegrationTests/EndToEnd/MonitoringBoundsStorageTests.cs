using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Monitor;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>The monitor's storage-side bounds on Azurite: the cross-instance run lock (a blob lease) and the feedback window.</summary>
[Collection(StackCollection.Name)]
public sealed class MonitoringBoundsStorageTests
{
    private readonly StackFixture _stack;

    public MonitoringBoundsStorageTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task RunLock_HeldByOneInstance_AnotherCannotTakeItUntilReleased()
    {
        var container = NewContainer();
        var first = new BlobLeaseRunLock(container, NullLogger<BlobLeaseRunLock>.Instance);
        var second = new BlobLeaseRunLock(container, NullLogger<BlobLeaseRunLock>.Instance);

        var held = await first.TryAcquireAsync(CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(await second.TryAcquireAsync(CancellationToken.None));

        await held.DisposeAsync();
        var taken = await second.TryAcquireAsync(CancellationToken.None);
        Assert.NotNull(taken);
        await taken.DisposeAsync();
    }

    [Fact]
    public async Task Coordinators_OnTwoInstances_TheSecondRunIsRefusedWith409()
    {
        var container = NewContainer();
        var runner = new GatedRunner();
        using var instanceA = new MonitoringRunCoordinator(runner, new BlobLeaseRunLock(container, NullLogger<BlobLeaseRunLock>.Instance), TimeProvider.System,
            NullLogger<MonitoringRunCoordinator>.Instance);
        using var instanceB = new MonitoringRunCoordinator(runner, new BlobLeaseRunLock(container, NullLogger<BlobLeaseRunLock>.Instance), TimeProvider.System,
            NullLogger<MonitoringRunCoordinator>.Instance);
        var running = instanceA.RunAsync(null, CancellationToken.None);
        await runner.Started.Task;

        var refused = await Assert.ThrowsAsync<ServingException>(() => instanceB.RunAsync(null, CancellationToken.None));
        runner.Release.SetResult();
        await running;

        Assert.Equal(409, refused.StatusCode);
        Assert.Contains("another instance", refused.Message);
        Assert.Equal(1, runner.Calls);
        Assert.False((await instanceB.RunAsync(null, CancellationToken.None)).Joined); // free again once A's run ended
    }

    [Fact]
    public async Task FeedbackStore_ReadReceived_SkipsOutcomesReceivedBeforeTheWindow()
    {
        var store = new FeedbackStore(new TableServiceClient(_stack.ConnectionString), "feedback" + Guid.NewGuid().ToString("N")[..8]);
        var cutoff = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        await store.SaveAsync("churn", [
            new FeedbackRecord("old", 0, "yes", cutoff.AddHours(-1)),
            new FeedbackRecord("edge", 0, "no", cutoff),
            new FeedbackRecord("new", 3, "yes", cutoff.AddMinutes(5)),
        ], CancellationToken.None);
        await store.SaveAsync("other-model", [new FeedbackRecord("new", 3, "no", cutoff.AddMinutes(5))], CancellationToken.None);

        var read = new List<FeedbackRecord>();
        await foreach (var record in store.ReadReceivedAsync("churn", cutoff, CancellationToken.None))
        {
            read.Add(record);
        }

        Assert.Equal(["edge", "new"], read.Select(r => r.RequestId).Order());
        Assert.Equal(3, read.Single(r => r.RequestId == "new").Row);
    }

    private BlobContainerClient NewContainer() => new(_stack.ConnectionString, "monitoring-" + Guid.NewGuid().ToString("N")[..12]);

    private sealed class GatedRunner : IMonitoringRunner
    {
        private int _calls;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        public async Task<MonitoringRunResult> RunAsync(string? onlyModel, string runId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return new MonitoringRunResult(runId, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], 0, []);
        }
    }
}
