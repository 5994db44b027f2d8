using System.Text;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Training;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Features;

/// <summary>
/// The point-in-time join on crafted timelines: a row gets each feature's latest value at or before its event time, never a later one
/// (where the online store's latest value would leak the future into training), with the set's TTL judged at the row's time, and the
/// same answer whatever order or how many times the history holds a row.
/// </summary>
public sealed class PointInTimeJoinTests
{
    private const string Set = """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "numeric"}, {"name": "tier", "type": "categorical"}], "ttl_seconds": 86400}""";

    [Fact]
    public async Task Join_RowBetweenTwoWrites_GetsTheEarlierValue_WhereTheLatestJoinLeaksTheFuture()
    {
        var stack = await StackAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T00:00:00Z", "f1": 1, "tier": "bronze"}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T12:00:00Z", "f1": 2, "tier": "gold"}]}""");

        var joined = await JoinAsync(stack, "customer_id,event_time,y\nc1,2026-11-01T06:00:00Z,0\nc1,2026-11-01T12:00:00Z,1\nc1,2026-11-01T11:59:59Z,0\n");

        // The online store (what a naive "latest value" join reads) holds the later value for every row.
        var set = await stack.Catalog.GetAsync("cust", "1", CancellationToken.None);
        var latest = (await stack.Online.ReadAsync(set, ["c1"], CancellationToken.None))[0]!;
        Assert.Equal(2, latest.Numbers[0]);
        Assert.Equal(["1", "2", "1"], Column(joined, "f1"));
        Assert.Equal(["bronze", "gold", "bronze"], Column(joined, "tier"));
    }

    [Fact]
    public async Task Join_ValueOlderThanTheTtlAtTheRowsTime_IsEmpty_AndBeforeTheFirstWriteToo()
    {
        var stack = await StackAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T00:00:00Z", "f1": 5}]}""");

        var joined = await JoinAsync(stack,
            "customer_id,event_time,y\nc1,2026-11-02T00:00:00Z,1\nc1,2026-11-02T00:00:01Z,0\nc1,2026-10-31T23:59:59Z,1\nc9,2026-11-01T01:00:00Z,0\n");

        Assert.Equal(["5", "", "", ""], Column(joined, "f1"));
        Assert.Equal(["", "", "", ""], Column(joined, "tier"));
    }

    [Fact]
    public async Task Join_DuplicatesAndOutOfOrderWrites_GiveWhatTheOnlineStoreHeldThen()
    {
        var stack = await StackAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T05:00:00Z", "f1": 3}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T01:00:00Z", "f1": 1}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T05:00:00Z", "f1": 3}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T05:00:00Z", "f1": 2}]}""");

        var joined = await JoinAsync(stack, "customer_id,event_time,y\nc1,2026-11-01T04:00:00Z,1\nc1,2026-11-01T05:00:00Z,0\n");

        var set = await stack.Catalog.GetAsync("cust", "1", CancellationToken.None);
        var online = (await stack.Online.ReadAsync(set, ["c1"], CancellationToken.None))[0]!;
        Assert.Equal(["1", online.Numbers[0].ToString(System.Globalization.CultureInfo.InvariantCulture)], Column(joined, "f1"));
        Assert.Equal("3", Column(joined, "f1")[1]);
    }

    [Fact]
    public async Task Join_KeepsEventTimeAndKeyOutOfInferredFeatures_AndReadsOnlyTheDatesItCanUse()
    {
        var stack = await StackAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-10-01T00:00:00Z", "f1": 9}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T00:00:00Z", "f1": 1}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-20T00:00:00Z", "f1": 4}]}""");

        var joined = await JoinAsync(stack, "customer_id,event_time,y\nc1,2026-11-01T10:00:00Z,1\n");
        var features = joined.ResolveFeatures(Request());

        Assert.Equal(["f1", "tier"], features.Select(f => f.Name));
        Assert.Equal(1, stack.History.Reads);
    }

    [Fact]
    public async Task Join_CategoricalFeatureWithNumberLikeValues_KeepsTheSetsDeclaredType()
    {
        var stack = await StackAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T00:00:00Z", "f1": 1, "tier": "3"}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c2", "event_time": "2026-11-01T00:00:00Z", "f1": 2, "tier": "7"}]}""");

        var joined = await JoinAsync(stack, "customer_id,event_time,y,plain\nc1,2026-11-01T06:00:00Z,0,1.5\nc2,2026-11-01T06:00:00Z,1,2\n");
        var features = joined.ResolveFeatures(Request());

        Assert.Equal(["3", "7"], Column(joined, "tier"));
        Assert.Equal(
            [("plain", TrialFeature.Numeric), ("f1", TrialFeature.Numeric), ("tier", TrialFeature.Categorical)],
            features.Select(f => (f.Name, f.Type)));
    }

    [Fact]
    public async Task Join_UsesEventTimeNotIngestionTime_AndALateArrivingOlderRowNeverReplacesTheNewestOnline()
    {
        var stack = await StackAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T12:00:00Z", "f1": 2}]}""");
        stack.Clock.Advance(TimeSpan.FromDays(3));
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T06:00:00Z", "f1": 1}]}""");

        var joined = await JoinAsync(stack, "customer_id,event_time,y\nc1,2026-11-01T08:00:00Z,1\nc1,2026-11-01T13:00:00Z,0\nc1,2026-11-01T05:00:00Z,0\n");

        // Ingested three days later, the 06:00 value is still the value as of 08:00 (event time decides), and the 12:00 value,
        // ingested first, stays the newest: online and for a row after it.
        Assert.Equal(["1", "2", ""], Column(joined, "f1"));
        var set = await stack.Catalog.GetAsync("cust", "1", CancellationToken.None);
        Assert.Equal(2, (await stack.Online.ReadAsync(set, ["c1"], CancellationToken.None))[0]!.Numbers[0]);
        var added = Assert.Single(joined.JoinedSets);
        Assert.Equal(("cust", "1", "f1,tier"), (added.Name, added.Version, string.Join(",", added.Features!)));
    }

    [Fact]
    public async Task Join_PastTheHistoryRowCap_IsBadRequestNamingTheSetAndTheSetting_AtTheCapItJoins()
    {
        var stack = await StackAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T01:00:00Z", "f1": 1}, {"customer_id": "c2", "event_time": "2026-11-01T02:00:00Z", "f1": 2}]}""");
        await stack.WriteAsync("""{"rows": [{"customer_id": "c3", "event_time": "2026-11-01T03:00:00Z", "f1": 3}]}""");
        const string csv = "customer_id,event_time,y\nc1,2026-11-01T10:00:00Z,1\n";

        var error = await Assert.ThrowsAsync<ServingException>(() => JoinAsync(stack, csv, maxRows: 2));
        var joined = await JoinAsync(stack, csv, maxRows: 3);

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("more than 2 history rows of feature set 'cust@1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("FeatureStore:MaxJoinHistoryRows", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1"], Column(joined, "f1"));
    }

    [Theory]
    [InlineData("id,event_time,y\nc1,2026-11-01T00:00:00Z,1\n", null, "'feature_sets[0]': the dataset has no column 'customer_id'")]
    [InlineData("customer_id,when,y\nc1,2026-11-01T00:00:00Z,1\n", null, "'event_time_column' names column 'event_time'")]
    [InlineData("customer_id,event_time,y\nc1,yesterday-secret,1\n", null, "data row 1")]
    [InlineData("customer_id,event_time,f1,y\nc1,2026-11-01T00:00:00Z,3,1\n", null, "already a column")]
    [InlineData("customer_id,event_time,y\nc1,2026-11-01T00:00:00Z,1\n", "nope", "declares no feature 'nope'")]
    public async Task Join_WhatCannotBeJoined_IsBadRequestNamingIt_WithoutCells(string csv, string? feature, string expected)
    {
        var stack = await StackAsync();

        var error = await Assert.ThrowsAsync<ServingException>(() => JoinAsync(stack, csv, feature));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_UndeclaredSet_IsBadRequestNamingTheField()
    {
        var stack = await StackAsync();
        var join = new SweepFeatureJoin(new PointInTimeJoiner(stack.Catalog, stack.History, Options.Create(new FeatureStoreOptions())));

        var error = await Assert.ThrowsAsync<ServingException>(() => join.JoinAsync(SweepDataset.Parse("customer_id,event_time,y\nc1,2026-11-01T00:00:00Z,1\n"u8.ToArray()),
            Request() with { FeatureSets = [new SweepFeatureSet("cust", "7")] }, CancellationToken.None));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.StartsWith("'feature_sets[0]': ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_TieAtTheSameTime_TakesTheGreaterValue_AsTheOnlineMergeDoes()
    {
        var set = FeatureSetJson.Read("cust", "1", Encoding.UTF8.GetBytes(Set));
        var index = new PointInTimeIndex(set);
        var time = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        var online = new FeatureRecord("c1", ["c1"], 2);
        foreach (var value in new[] { 4.0, 7.0, 4.0, 5.0 })
        {
            var row = new FeatureRecord("c1", ["c1"], 2);
            row.Numbers[0] = value;
            row.Ticks[0] = time;
            index.Add(row);
            online.Merge(row);
        }

        index.Seal();

        Assert.Equal(FeatureStatus.Present, index.AsOf("c1", time, 0, out var number, out _));
        Assert.Equal(online.Numbers[0], number);
        Assert.Equal(FeatureStatus.Missing, index.AsOf("c1", time - 1, 0, out _, out _));
        Assert.Equal(FeatureStatus.Expired, index.AsOf("c1", time + TimeSpan.FromDays(1).Ticks + 1, 0, out _, out _));
        Assert.Equal(FeatureStatus.Missing, index.AsOf("c1", time, 1, out _, out _));
    }

    private static async Task<FeatureStoreStack> StackAsync()
    {
        var stack = new FeatureStoreStack();
        await stack.DeclareAsync(Set);
        return stack;
    }

    private static TrainingSweepRequest Request() => new()
    {
        Dataset = "training/d.csv",
        Target = "y",
        Task = "binary",
        Algorithms = [new AlgorithmSearch { Name = "lbfgs" }],
        Metric = "auc",
        ModelName = "m",
        FeatureSets = [new SweepFeatureSet("cust", "1")],
    };

    private static Task<SweepDataset> JoinAsync(FeatureStoreStack stack, string csv, string? feature = null, long maxRows = 5_000_000)
    {
        var join = new SweepFeatureJoin(new PointInTimeJoiner(stack.Catalog, stack.History, Options.Create(new FeatureStoreOptions { MaxJoinHistoryRows = maxRows })));
        var request = Request() with { FeatureSets = [new SweepFeatureSet("cust", "1", feature is null ? null : [feature])] };
        return join.JoinAsync(SweepDataset.Parse(Encoding.UTF8.GetBytes(csv)), request, CancellationToken.None);
    }

    private static string[] Column(SweepDataset dataset, string name)
    {
        var column = dataset.IndexOf(name);
        return dataset.Rows.Select(r => r[column]).ToArray();
    }
}
