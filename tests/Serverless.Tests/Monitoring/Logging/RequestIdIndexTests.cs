using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>The per-block index of logged request ids and rows that feedback matching reads instead of the payload.</summary>
public sealed class RequestIdIndexTests
{
    [Fact]
    public void Block_HoldsAnIndexOfItsPredictions_RowsOfARequestAsOneRunAndNoFailures()
    {
        using var harness = new LoggingHarness();
        Captures.Complete(harness.Logger, "m", 3, "three-rows");
        harness.Logger.Fail(harness.Logger.Begin(InferenceLogSource.Predict, "m", null, "failed"), new InvalidOperationException("no"));
        Captures.Complete(harness.Logger, "m", 1, "one-row");
        var blocks = new InferenceLogBlocks(harness.Options.TablePrefix, shards: 1);
        while (harness.Buffer.TryRead(out var completed))
        {
            blocks.Add(completed);
        }

        var entity = Assert.Single(blocks.TakeAll()).Entity;
        var entries = Entries(InferenceLogBlockFormat.ReadIds(entity)!);

        Assert.Equal(
            [new RequestIdIndex.Entry(Fingerprint("three-rows"), 0, 3), new RequestIdIndex.Entry(Fingerprint("one-row"), 0, 1)],
            entries);
        Assert.True(entries[0].Holds(2));
        Assert.False(entries[0].Holds(3));
        Assert.DoesNotContain(entries, e => e.Fingerprint == Fingerprint("failed"));
    }

    [Fact]
    public void RoundTrip_KeepsEveryRunIncludingOneThatStartsPastRowZero()
    {
        var index = new RequestIdIndex();
        for (var row = 7_000; row < 7_300; row++)
        {
            index.Add(InferenceLogKeys.Hash("continued"), row);
        }

        index.Add(InferenceLogKeys.Hash("again"), 0);
        index.Add(InferenceLogKeys.Hash("again"), 0); // the same id sent twice: a new run, not row 1
        index.Add(InferenceLogKeys.Hash("skipped"), -1);

        var entries = Entries(index.ToBytes());

        Assert.Equal(
            [
                new RequestIdIndex.Entry(Fingerprint("continued"), 7_000, 300),
                new RequestIdIndex.Entry(Fingerprint("again"), 0, 1),
                new RequestIdIndex.Entry(Fingerprint("again"), 0, 1),
            ],
            entries);
    }

    [Fact]
    public void Size_IsAboutSixBytesPerOneRowRequest()
    {
        var index = new RequestIdIndex();
        for (var i = 0; i < 10_000; i++)
        {
            index.Add(InferenceLogKeys.Hash($"request-{i}"), 0);
        }

        Assert.Equal(1 + (10_000 * 6), index.ToBytes().Length);
        Assert.True(index.ToBytes().Length <= InferenceLogBlockFormat.PartBytes);
    }

    [Fact]
    public void Fingerprint_Is40BitsAndDiffersBetweenIdsOfOneShard()
    {
        var fingerprints = Enumerable.Range(0, 100_000).Select(i => InferenceLogKeys.Hash($"id-{i}"))
            .Where(h => InferenceLogKeys.Shard(h, 4) == 0).Select(RequestIdIndex.Fingerprint).ToList();

        Assert.All(fingerprints, f => Assert.True(f < 1UL << 40));
        Assert.Equal(fingerprints.Count, fingerprints.Distinct().Count());
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2 })]
    [InlineData(new byte[] { 1, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0x80 })]
    public void Read_BytesThatAreNotAnIndex_IsInvalidData(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => RequestIdIndex.Read(bytes, _ => { }));

    private static ulong Fingerprint(string requestId) => RequestIdIndex.Fingerprint(InferenceLogKeys.Hash(requestId));

    private static List<RequestIdIndex.Entry> Entries(byte[] bytes)
    {
        var entries = new List<RequestIdIndex.Entry>();
        RequestIdIndex.Read(bytes, entries.Add);
        return entries;
    }
}
