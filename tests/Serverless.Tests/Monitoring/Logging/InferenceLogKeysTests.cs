using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogKeysTests
{
    private static readonly DateTimeOffset Time = new(2026, 3, 7, 14, 5, 9, TimeSpan.Zero);

    [Fact]
    public void Keys_FollowTheDocumentedLayoutAndSortByTime()
    {
        var shard = InferenceLogKeys.Shard("req-1", 4);

        Assert.Equal("inferencelog202603", InferenceLogKeys.TableName("inferencelog", Time));
        Assert.Equal($"churn|2026030714|{shard:D2}", InferenceLogKeys.PartitionKey("churn", Time, shard));
        Assert.Equal($"{Time.UtcTicks:D19}|req-1|00007", InferenceLogKeys.RowKey(Time, "req-1", 7));
        Assert.True(string.CompareOrdinal(InferenceLogKeys.RowKey(Time, "zzz", 0), InferenceLogKeys.RowKey(Time.AddTicks(1), "aaa", 0)) < 0);
        Assert.True(string.CompareOrdinal(InferenceLogKeys.RowKey(Time, "r", -1), InferenceLogKeys.RowKey(Time, "r", 0)) < 0);
        Assert.Equal("inferencelog202512", InferenceLogKeys.TableName("inferencelog", new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.FromHours(1))));
    }

    [Fact]
    public void RowKey_EscapesCharactersTableStorageRefusesAndKeepsLongIdsBounded()
    {
        var key = InferenceLogKeys.RowKey(Time, "a/b#c?d\\e%f~g|h\u00e9", 0);
        var longKey = InferenceLogKeys.RowKey(Time, new string('x', 5000), 0);

        Assert.Equal($"{Time.UtcTicks:D19}|a~002Fb~0023c~003Fd~005Ce~0025f~007Eg~007Ch~00E9|00000", key);
        Assert.Equal(19 + 1 + InferenceLogKeys.MaxKeyRequestIdLength + 1 + 5, longKey.Length);
    }

    [Fact]
    public void Sampling_IsDeterministicPerRequestIdNestedAcrossRatesAndNearTheRate()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"request-{i}").ToArray();

        var atTenth = ids.Where(id => InferenceLogKeys.IsSampled(id, 0.1)).ToHashSet();
        var atHalf = ids.Where(id => InferenceLogKeys.IsSampled(id, 0.5)).ToHashSet();

        Assert.InRange(atTenth.Count, 1_800, 2_200);
        Assert.InRange(atHalf.Count, 9_600, 10_400);
        Assert.Subset(atHalf, atTenth);
        Assert.All(ids.Take(500), id => Assert.Equal(InferenceLogKeys.IsSampled(id, 0.3), InferenceLogKeys.IsSampled(new string(id.ToCharArray()), 0.3)));
        Assert.All(ids, id => Assert.True(InferenceLogKeys.IsSampled(id, 1.0)));
        Assert.All(ids, id => Assert.False(InferenceLogKeys.IsSampled(id, 0.0)));
    }

    [Fact]
    public void Hash_IsStableAcrossProcessesAndSpreadsShardsEvenly()
    {
        // Pinned: the hash decides shards and sampling for data already stored, so it must never change.
        Assert.Equal(6996955302536081010UL, InferenceLogKeys.Hash("request-1"));
        var perShard = Enumerable.Range(0, 8_000).GroupBy(i => InferenceLogKeys.Shard(Guid.NewGuid().ToString("N"), 4)).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal([0, 1, 2, 3], perShard.Keys.Order());
        Assert.All(perShard.Values, count => Assert.InRange(count, 1_700, 2_300));
    }

    [Fact]
    public void TryParseTableMonth_AcceptsOnlyPrefixPlusYearMonth()
    {
        Assert.True(InferenceLogKeys.TryParseTableMonth("inferencelog", "inferencelog202511", out var month));
        Assert.Equal(new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.Zero), month);
        Assert.False(InferenceLogKeys.TryParseTableMonth("inferencelog", "inferencelog2025", out _));
        Assert.False(InferenceLogKeys.TryParseTableMonth("inferencelog", "inferencelog202513", out _));
        Assert.False(InferenceLogKeys.TryParseTableMonth("inferencelog", "other202511", out _));
    }
}
