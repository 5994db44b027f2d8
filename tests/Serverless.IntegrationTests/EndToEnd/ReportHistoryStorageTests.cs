using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.Core.Monitoring.Monitor;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// The stores behind service findings and traffic references, on Azurite: a version's previous window is found among
/// the model's stored report summaries, and a reference window's start is kept between runs.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ReportHistoryStorageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private readonly StackFixture _stack;

    public ReportHistoryStorageTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task PreviousAsync_ReportsOfSeveralVersionsAndTimes_FindsTheVersionsNewestInRange()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var store = new ReportStore(new BlobContainerClient(_stack.ConnectionString, "reports-" + suffix), new TableClient(_stack.ConnectionString, "reports" + suffix));
        await store.SaveAsync(Report("1", "run-old", Now.AddHours(-60), requests: 100, errorRate: 0.5), "<html/>", CancellationToken.None);
        await store.SaveAsync(Report("1", "run-prev", Now.AddHours(-24), requests: 200, errorRate: 0.01, p95: 40), "<html/>", CancellationToken.None);
        await store.SaveAsync(Report("2", "run-other", Now.AddHours(-23), requests: 300, errorRate: 0.2), "<html/>", CancellationToken.None);
        await store.SaveAsync(Report("1", "run-recent", Now.AddHours(-1), requests: 400, errorRate: 0.3), "<html/>", CancellationToken.None);

        var previous = await store.PreviousAsync("m", "1", Now.AddHours(-48), Now.AddHours(-18), CancellationToken.None);
        var none = await store.PreviousAsync("m", "3", Now.AddHours(-48), Now.AddHours(-18), CancellationToken.None);

        Assert.NotNull(previous);
        Assert.Equal(("run-prev", 200L, 0.01, 40.0), (previous.RunId, previous.Requests, previous.ErrorRate, previous.LatencyP95Ms!.Value));
        Assert.Equal(Now.AddHours(-48), previous.WindowStartUtc);
        Assert.Null(none);
    }

    [Fact]
    public async Task ReferenceWindowStore_StartIsKeptUntilCleared()
    {
        var store = new ReferenceWindowStore(new BlobContainerClient(_stack.ConnectionString, "reference-" + Guid.NewGuid().ToString("N")[..10]));

        Assert.Null(await store.GetStartAsync("m", "1", CancellationToken.None));
        await store.SetStartAsync("m", "1", Now, CancellationToken.None);
        Assert.Equal(Now, await store.GetStartAsync("m", "1", CancellationToken.None));
        Assert.Null(await store.GetStartAsync("m", "2", CancellationToken.None));
        await store.ClearAsync("m", "1", CancellationToken.None);
        Assert.Null(await store.GetStartAsync("m", "1", CancellationToken.None));
    }

    private static MonitoringReport Report(string version, string runId, DateTimeOffset generated, long requests, double errorRate, double? p95 = null) => new()
    {
        RunId = runId,
        Model = "m",
        Version = version,
        WindowStartUtc = generated.AddHours(-24),
        WindowEndUtc = generated,
        GeneratedUtc = generated,
        Rows = requests,
        DataQuality = [],
        Service = new ServiceHealth(requests, (long)(requests * errorRate), errorRate, null, p95, null),
        Performance = new LivePerformance(0, null, new Dictionary<string, double>(), new Dictionary<string, double>(), false, null),
        Findings = [],
        Histograms = [],
    };
}
