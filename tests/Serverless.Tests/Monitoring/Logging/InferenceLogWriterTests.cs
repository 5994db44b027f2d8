using Azure;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogWriterTests
{
    [Fact]
    public async Task Writer_PacksEachPartitionsRecordsIntoBlocksWithUniqueKeys()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 50, Shards = 3 });
        await harness.Writer.StartAsync(CancellationToken.None);

        Captures.Complete(harness.Logger, "big", 250);
        for (var i = 0; i < 40; i++)
        {
            Captures.Complete(harness.Logger, i % 2 == 0 ? "a" : "b", 3);
        }

        await harness.SettleAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        var blocks = harness.Sink.Blocks.ToList();
        Assert.All(blocks, b => Assert.Equal(b.Records, b.Entity.GetInt32(InferenceLogBlockFormat.RecordsProperty)));
        Assert.All(blocks, b => Assert.Equal(b.Table, InferenceLogKeys.TableName("inferencelog", b.Entity.GetDateTimeOffset(InferenceLogBlockFormat.FirstProperty)!.Value)));
        Assert.All(blocks, b => Assert.StartsWith(b.Entity.GetString(InferenceLogBlockFormat.ModelProperty) + "|", b.Entity.PartitionKey, StringComparison.Ordinal));
        Assert.Equal(blocks.Count, blocks.Select(b => (b.Entity.PartitionKey, b.Entity.RowKey)).Distinct().Count());
        Assert.Equal(370, harness.Sink.RecordCount);
        Assert.True(blocks.Count <= 3 * 3, $"{blocks.Count} blocks for 41 requests on 3 models × 3 shards, all in one flush");
        var big = Assert.Single(blocks, b => b.Entity.PartitionKey.StartsWith("big|", StringComparison.Ordinal));
        Assert.Equal(250, big.Records);
        Assert.Equal(Enumerable.Range(0, 250), harness.Sink.Records().Where(r => r.Model == "big").Select(r => r.Row));
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

        await harness.SettleAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        var byRequest = harness.Sink.Blocks
            .SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity).Select(r => (b.Entity.PartitionKey, Record: r)))
            .GroupBy(e => e.Record.RequestId).ToList();
        Assert.Equal(20, byRequest.Count);
        Assert.All(byRequest, g => Assert.Single(g.Select(e => e.PartitionKey).Distinct()));
        Assert.All(byRequest, g => Assert.EndsWith($"|{InferenceLogKeys.Shard(g.Key, 4):D2}", g.First().PartitionKey, StringComparison.Ordinal));
        Assert.All(byRequest, g => Assert.Equal([0, 1, 2, 3, 4], g.Select(e => e.Record.Row).Order()));
    }

    [Fact]
    public async Task Writer_ABlockIsClosedAtItsLimitsSoNoEntityOutgrowsTableStorage()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 600_000, Shards = 1, BufferCapacity = 50_000 });
        await harness.Writer.StartAsync(CancellationToken.None);

        Captures.Complete(harness.Logger, "m", InferenceLogBlocks.MaxBlockRecords + 5);
        await harness.Writer.StopAsync(new CancellationTokenSource(LoggingHarness.HangGuard).Token);

        var blocks = harness.Sink.Blocks.OrderBy(b => b.Entity.RowKey, StringComparer.Ordinal).ToList();
        Assert.InRange(blocks.Count, 2, 20);
        Assert.All(blocks, b => Assert.InRange(b.Records, 1, InferenceLogBlocks.MaxBlockRecords));
        Assert.Equal(InferenceLogBlocks.MaxBlockRecords + 5, blocks.Sum(b => b.Records));
        Assert.All(blocks, b => Assert.InRange(EntityBytes(b), 1, 1_000_000));
        Assert.Equal(Enumerable.Range(0, InferenceLogBlocks.MaxBlockRecords + 5), harness.Sink.Records().Select(r => r.Row).Order());
    }

    private static long EntityBytes(InferenceLogBlock block) =>
        block.Entity.Sum(p => p.Value switch { byte[] bytes => bytes.Length, string text => text.Length * 2, _ => 8L });

    [Fact]
    public async Task Writer_UnderASteadyTrickleOfRequests_WakesOnTheClockNotOncePerRequest()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 1000 });
        await harness.Writer.StartAsync(CancellationToken.None);
        Captures.Complete(harness.Logger, "m", 1);
        await LoggingHarness.WaitUntilAsync(() => harness.Writer.Passes == 1, "the first request wakes the idle writer");

        // The writer now holds a record and sleeps until its drain timer; the clock stands still, so no request may wake it.
        for (var i = 1; i < 200; i++)
        {
            Captures.Complete(harness.Logger, "m", 1);
            await Task.Yield();
        }

        var passesWhileTheClockStood = harness.Writer.Passes;
        await harness.Writer.StopAsync(CancellationToken.None);

        Assert.Equal(1, passesWhileTheClockStood);
        Assert.Equal(200, harness.Sink.RecordCount);
        Assert.Equal(2, harness.Writer.Passes);
    }

    [Fact]
    public async Task Writer_RecordsBelowTheBlockLimits_AreWrittenTogetherOnceTheFlushIntervalIsUp()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { FlushIntervalMs = 1000, Shards = 1 });
        var started = harness.Time.GetUtcNow();
        await harness.Writer.StartAsync(CancellationToken.None);
        Captures.Complete(harness.Logger, "m", 1);
        Captures.Complete(harness.Logger, "m", 2);

        await harness.SettleAsync();
        var flushedAfter = harness.Time.GetUtcNow() - started;
        await harness.Writer.StopAsync(CancellationToken.None);

        Assert.Equal(3, Assert.Single(harness.Sink.Blocks).Records);
        Assert.True(flushedAfter >= TimeSpan.FromSeconds(1), $"flushed after {flushedAfter} on the writer's clock");
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
        Assert.Equal(0, harness.Sink.RecordCount);
        await harness.Writer.StopAsync(new CancellationTokenSource(LoggingHarness.HangGuard).Token);

        Assert.Equal(60, harness.Sink.RecordCount);
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

        using var shutdownTimeout = new CancellationTokenSource();
        var stop = harness.Writer.StopAsync(shutdownTimeout.Token);
        await LoggingHarness.WaitUntilAsync(() => Volatile.Read(ref harness.Sink.Calls) > 0, "the writer starts writing on stop");
        await shutdownTimeout.CancelAsync();
        var finished = await Task.WhenAny(stop, Task.Delay(LoggingHarness.HangGuard));

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
        await harness.SettleAsync();
        harness.Sink.Failure = null;
        Captures.Complete(harness.Logger, "m", 6);
        await harness.SettleAsync();
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
        await harness.SettleAsync();
        await harness.Writer.StopAsync(CancellationToken.None);

        var counters = harness.Buffer.Counters;
        Assert.True(stalled.Dropped >= 60, $"dropped {stalled.Dropped}");
        Assert.Equal(100, counters.Enqueued + counters.Dropped);
        Assert.Equal(counters.Enqueued, counters.Written);
        Assert.Equal(counters.Written, harness.Sink.RecordCount);
    }
}
