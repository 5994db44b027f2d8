using Azure;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogWriterTests
{
    [Fact]
    public async Task Writer_BatchesAtMost100EntitiesOfOnePartitionPerTransaction()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 50, Shards = 3 });
        await harness.Writer.StartAsync(CancellationToken.None);

        Captures.Complete(harness.Logger, "big", 250);
        for (var i = 0; i < 40; i++)
        {
            Captures.Complete(harness.Logger, i % 2 == 0 ? "a" : "b", 3);
        }

        await harness.WaitUntilSettledAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        var batches = harness.Sink.Batches.ToList();
        Assert.All(batches, b => Assert.InRange(b.Entities.Count, 1, 100));
        Assert.All(batches, b => Assert.All(b.Entities, e => Assert.Equal(b.PartitionKey, e.PartitionKey)));
        Assert.All(batches, b => Assert.All(b.Entities, e => Assert.Equal(b.Table, InferenceLogKeys.TableName("inferencelog", e.GetDateTimeOffset("TimestampUtc")!.Value))));
        Assert.All(batches, b => Assert.Equal(b.Entities.Count, b.Entities.Select(e => e.RowKey).Distinct().Count()));
        Assert.Equal(370, harness.Sink.EntityCount);
        Assert.Equal(3, batches.Count(b => b.PartitionKey.StartsWith("big|", StringComparison.Ordinal)));
        Assert.Equal(new InferenceLogCounters(370, 370, 0, 0, 0, 0), harness.Buffer.Counters);
    }

    [Fact]
    public async Task Writer_AllRowsOfARequestShareOnePartitionAndTheShardFollowsTheRequestId()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 20, Shards = 4 });
        await harness.Writer.StartAsync(CancellationToken.None);

        var ids = Enumerable.Range(0, 20).Select(i => $"req-{i}").ToArray();
        foreach (var id in ids)
        {
            Captures.Complete(harness.Logger, "m", 5, id);
        }

        await harness.WaitUntilSettledAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        var byRequest = harness.Sink.Batches.SelectMany(b => b.Entities).GroupBy(e => e.GetString("RequestId")).ToList();
        Assert.Equal(20, byRequest.Count);
        Assert.All(byRequest, g => Assert.Single(g.Select(e => e.PartitionKey).Distinct()));
        Assert.All(byRequest, g => Assert.EndsWith($"|{InferenceLogKeys.Shard(g.Key!, 4):D2}", g.First().PartitionKey, StringComparison.Ordinal));
        Assert.All(byRequest, g => Assert.Equal([0, 1, 2, 3, 4], g.Select(e => e.GetInt32("Row")!.Value).Order()));
    }

    [Fact]
    public async Task StopAsync_WritesWhatIsBufferedBeforeTheFlushIntervalIsUp()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 600_000 });
        await harness.Writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 30; i++)
        {
            Captures.Complete(harness.Logger, "m", 2);
        }

        await Task.Delay(100);
        Assert.Equal(0, harness.Sink.EntityCount);
        await harness.Writer.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        Assert.Equal(60, harness.Sink.EntityCount);
        Assert.Equal(new InferenceLogCounters(60, 60, 0, 0, 0, 0), harness.Buffer.Counters);
    }

    [Fact]
    public async Task StopAsync_WhenStorageHangsPastTheShutdownTimeout_GivesUpAndCountsTheRestAsFailed()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 600_000 });
        harness.Sink.Gate = new TaskCompletionSource();
        await harness.Writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            Captures.Complete(harness.Logger, "m", 3);
        }

        var stop = harness.Writer.StopAsync(new CancellationTokenSource(TimeSpan.FromMilliseconds(200)).Token);
        var finished = await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(stop, finished);
        await stop;
        Assert.Equal(new InferenceLogCounters(30, 0, 0, 30, 0, 0), harness.Buffer.Counters);
    }

    [Fact]
    public async Task Writer_StorageFailures_AreCountedAndTheWriterCarriesOn()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 20 });
        harness.Sink.Failure = new RequestFailedException(503, "unavailable");
        await harness.Writer.StartAsync(CancellationToken.None);

        Captures.Complete(harness.Logger, "m", 4);
        await harness.WaitUntilSettledAsync();
        harness.Sink.Failure = null;
        Captures.Complete(harness.Logger, "m", 6);
        await harness.WaitUntilSettledAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        Assert.Equal(new InferenceLogCounters(10, 6, 0, 4, 0, 0), harness.Buffer.Counters);
    }

    [Fact]
    public async Task Writer_WhileStorageIsSlow_TheRequestPathDropsInsteadOfWaiting()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { BufferCapacity = 20, FlushIntervalMs = 10 });
        harness.Sink.Gate = new TaskCompletionSource();
        await harness.Writer.StartAsync(CancellationToken.None);

        for (var i = 0; i < 100; i++)
        {
            Captures.Complete(harness.Logger, "m", 1);
        }

        var stalled = harness.Buffer.Counters;
        harness.Sink.Gate.SetResult();
        await harness.WaitUntilSettledAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        var counters = harness.Buffer.Counters;
        Assert.True(stalled.Dropped >= 60, $"dropped {stalled.Dropped}");
        Assert.Equal(100, counters.Enqueued + counters.Dropped);
        Assert.Equal(counters.Enqueued, counters.Written);
        Assert.Equal(counters.Written, harness.Sink.EntityCount);
    }
}
