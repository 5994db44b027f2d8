using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.Core.Features;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Features;
using Serverless.Tests.Support;

namespace Serverless.Tests.Features;

/// <summary>
/// Materialisation: the plan splits a large history into chunks by date and name prefix; the orchestration merges the history into
/// the online store with progress in its custom status, a lost online store comes back as it was, and running it again changes nothing.
/// </summary>
public sealed class MaterialisationTests
{
    [Fact]
    public void Plan_ManyBlobsOnOneDate_SplitsByNamePrefix_AndPacksSmallDatesTogether()
    {
        var names = Enumerable.Range(0, 40).Select(i => $"cust/1/event_date=2026-11-02/{i:x2}{new string('0', 62)}.jsonl")
            .Concat(["cust/1/event_date=2026-11-01/aa.jsonl", "cust/1/event_date=2026-11-03/bb.jsonl", "cust/1/not-history.txt"]).ToList();

        var plan = PlanMaterialisationActivity.Plan(new MaterialisationRequest { Name = "cust", Version = "1", BlobsPerChunk = 10 }, names);

        Assert.Equal(42, plan.Blobs);
        var parts = plan.Chunks.SelectMany(c => c.Parts).ToList();
        Assert.Equal(new MaterialisationPart(new DateOnly(2026, 11, 1), ""), parts[0]);
        Assert.Equal(["0", "1", "2"], parts.Where(p => p.Date == new DateOnly(2026, 11, 2)).Select(p => p.Prefix));
        Assert.All(plan.Chunks, c => Assert.True(c.Parts.Sum(p => names.Count(n => BlobFeatureHistory.TryParseName(n, out var d, out var f) && d == p.Date && f.StartsWith(p.Prefix, StringComparison.Ordinal))) <= 16));
        Assert.Equal(Enumerable.Range(0, plan.Chunks.Count), plan.Chunks.Select(c => c.Index));
    }

    [Fact]
    public void Plan_PastTheChunkCap_FailsSayingHowToNarrowIt()
    {
        var names = Enumerable.Range(0, PlanMaterialisationActivity.MaxChunks + 1).Select(i => $"cust/1/event_date={new DateOnly(2020, 1, 1).AddDays(i):yyyy-MM-dd}/a.jsonl").ToList();

        var error = Assert.Throws<InvalidOperationException>(() => PlanMaterialisationActivity.Plan(new MaterialisationRequest { Name = "cust", Version = "1", BlobsPerChunk = 1 }, names));

        Assert.Contains("'from' and 'to'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orchestration_RebuildsALostOnlineStoreFromHistory_WithProgress_AndAgainChangesNothing()
    {
        var stack = new FeatureStoreStack();
        await stack.DeclareAsync();
        for (var day = 1; day <= 12; day++)
        {
            var rows = string.Join(",", Enumerable.Range(0, 30).Select(k =>
                $$"""{"customer_id": "c{{k}}", "event_time": "2026-11-{{day:00}}T0{{k % 10}}:00:00Z", "f1": {{day * 100 + k}}, "f2": {{(k % 3 == 0 ? day : 0)}}}"""));
            await stack.WriteAsync($$"""{"rows": [{{rows}}]}""");
        }

        var source = stack.Online;
        var rebuilt = new MemoryOnlineStore();
        var activity = new MaterialiseChunkActivity(stack.Catalog, stack.History, rebuilt, stack.Cache);
        var plan = new PlanMaterialisationActivity(stack.Catalog, stack.History);
        var statuses = new List<string>();
        await using var host = await DurableTestHosts.StartAsync(registry =>
        {
            registry.AddOrchestrator<FeatureMaterialisationOrchestrator>();
            registry.AddActivityFunc<MaterialisationRequest, MaterialisationPlan>(PlanMaterialisationActivity.Name, (context, request) => plan.RunAsync(context, request));
            registry.AddActivityFunc<MaterialisationChunk, MaterialisationChunkResult>(MaterialiseChunkActivity.Name, (context, chunk) => activity.RunAsync(context, chunk));
        });
        var request = new MaterialisationRequest { Name = "cust", Version = "1", BlobsPerChunk = 2, MaxParallelism = 3 };

        var first = await RunAsync(host, request);
        var again = await RunAsync(host, request);

        var set = await stack.Catalog.GetAsync("cust", "1", CancellationToken.None);
        var keys = Enumerable.Range(0, 30).Select(k => $"c{k}").ToArray();
        var expected = await source.ReadAsync(set, keys, CancellationToken.None);
        var actual = await rebuilt.ReadAsync(set, keys, CancellationToken.None);
        Assert.Equal(expected.Select(Describe), actual.Select(Describe));
        var result = first.ReadOutputAs<MaterialisationResult>()!;
        Assert.Equal((6, 12, 360L), (result.Chunks, result.Blobs, result.Rows));
        Assert.True(result.ValuesUpdated > 0);
        var status = JsonDocument.Parse(first.SerializedCustomStatus!).RootElement;
        Assert.Equal(MaterialisationStages.Completed, status.GetProperty("Stage").GetString());
        Assert.Equal(6, status.GetProperty("ChunksDone").GetInt32());
        Assert.Equal(360, status.GetProperty("Rows").GetInt64());
        var repeat = again.ReadOutputAs<MaterialisationResult>()!;
        Assert.Equal((360L, 0L), (repeat.Rows, repeat.ValuesUpdated));
        Assert.True(repeat.ValuesKept > 0);
    }

    [Fact]
    public async Task Orchestration_DateRange_MaterialisesOnlyThoseDates()
    {
        var stack = new FeatureStoreStack();
        await stack.DeclareAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-01T00:00:00Z", "f1": 1}, {"customer_id": "c2", "event_time": "2026-11-05T00:00:00Z", "f1": 5}]}""");
        var rebuilt = new MemoryOnlineStore();
        var activity = new MaterialiseChunkActivity(stack.Catalog, stack.History, rebuilt, stack.Cache);
        var plan = await new PlanMaterialisationActivity(stack.Catalog, stack.History).RunAsync(new NamedActivityContext(PlanMaterialisationActivity.Name),
            new MaterialisationRequest { Name = "cust", Version = "1", From = new DateOnly(2026, 11, 4) });

        var chunk = Assert.Single(plan.Chunks);
        var result = await activity.RunAsync(new NamedActivityContext(MaterialiseChunkActivity.Name), chunk);

        var set = await stack.Catalog.GetAsync("cust", "1", CancellationToken.None);
        Assert.Equal(1, result.Rows);
        Assert.Equal([null, "5"], (await rebuilt.ReadAsync(set, ["c1", "c2"], CancellationToken.None)).Select(r => r?.Numbers[0].ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task<OrchestrationMetadata> RunAsync(Microsoft.DurableTask.Testing.DurableTaskTestHost host, MaterialisationRequest request)
    {
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(FeatureMaterialisationOrchestrator.Name, request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata;
    }

    private static string Describe(FeatureRecord? record) => record is null
        ? "none"
        : string.Join(";", Enumerable.Range(0, record.Ticks.Length).Select(f => $"{record.Numbers[f]}@{record.Ticks[f]}"));
}
