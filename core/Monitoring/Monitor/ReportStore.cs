using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// A stored run's summary row, newest first when listed; with the window's service figures (requests, error rate as a share,
/// p95 latency in ms; then errors, p50 and p99 latency in ms), null in rows stored before summaries carried them.
/// </summary>
public sealed record ReportSummary(string Model, string Version, string RunId, DateTimeOffset GeneratedUtc, long Rows, bool DatasetDrift, double DriftShare,
    bool PredictionDrift, bool PerformanceDecay, int Findings, string JsonBlob, string HtmlBlob, long? Requests = null, double? ErrorRate = null,
    double? LatencyP95Ms = null, long? Errors = null, double? LatencyP50Ms = null, double? LatencyP99Ms = null);

/// <summary>
/// Monitoring reports: <c>report.json</c> and <c>report.html</c> per model version and run in Blob storage
/// (<c>{model}/{version}/{runId}/</c>, plus <c>{model}/latest.json</c> and <c>.html</c>), and one summary row per
/// report in Table storage (partition = model, row key = inverted time, so listing is newest first). Thread-safe.
/// </summary>
public sealed class ReportStore
{
    private readonly BlobContainerClient _container;
    private readonly TableClient _table;
    private readonly Lazy<Task> _created;

    public ReportStore(BlobContainerClient container, TableClient table)
    {
        _container = container;
        _table = table;
        _created = new Lazy<Task>(() => Task.WhenAll(_container.CreateIfNotExistsAsync(), _table.CreateIfNotExistsAsync()));
    }

    public async Task<ReportSummary> SaveAsync(MonitoringReport report, string html, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var folder = $"{report.Model}/{report.Version}/{report.RunId}";
        var json = BinaryData.FromBytes(report.ToJson());
        var page = BinaryData.FromString(html);
        await _container.GetBlobClient($"{folder}/report.json").UploadAsync(json, overwrite: true, cancellationToken).ConfigureAwait(false);
        await _container.GetBlobClient($"{folder}/report.html").UploadAsync(page, overwrite: true, cancellationToken).ConfigureAwait(false);
        await _container.GetBlobClient($"{report.Model}/latest.json").UploadAsync(json, overwrite: true, cancellationToken).ConfigureAwait(false);
        await _container.GetBlobClient($"{report.Model}/latest.html").UploadAsync(page, overwrite: true, cancellationToken).ConfigureAwait(false);

        var summary = new ReportSummary(report.Model, report.Version, report.RunId, report.GeneratedUtc, report.Rows, report.Drift?.DatasetDrift ?? false,
            report.Drift?.DriftShare ?? 0, report.PredictionDrift?.Drifted ?? false, report.Performance.Decayed, report.Findings.Count,
            $"{folder}/report.json", $"{folder}/report.html", report.Service.Requests, report.Service.ErrorRate, report.Service.LatencyP95Ms,
            report.Service.Errors, report.Service.LatencyP50Ms, report.Service.LatencyP99Ms);
        var entity = new TableEntity(report.Model, $"{InvertedTicks(report.GeneratedUtc)}|{report.Version}")
        {
            ["Version"] = summary.Version,
            ["RunId"] = summary.RunId,
            ["GeneratedUtc"] = summary.GeneratedUtc,
            ["Rows"] = summary.Rows,
            ["DatasetDrift"] = summary.DatasetDrift,
            ["DriftShare"] = summary.DriftShare,
            ["PredictionDrift"] = summary.PredictionDrift,
            ["PerformanceDecay"] = summary.PerformanceDecay,
            ["Findings"] = summary.Findings,
            ["JsonBlob"] = summary.JsonBlob,
            ["HtmlBlob"] = summary.HtmlBlob,
            ["WindowStartUtc"] = report.WindowStartUtc,
            ["WindowEndUtc"] = report.WindowEndUtc,
            ["Requests"] = report.Service.Requests,
            ["ErrorRate"] = report.Service.ErrorRate,
            ["LatencyP95Ms"] = report.Service.LatencyP95Ms,
            ["Errors"] = report.Service.Errors,
            ["LatencyP50Ms"] = report.Service.LatencyP50Ms,
            ["LatencyP99Ms"] = report.Service.LatencyP99Ms,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        return summary;
    }

    public async Task<IReadOnlyList<ReportSummary>> ListAsync(string model, int limit, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var summaries = new List<ReportSummary>();
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == model, maxPerPage: limit, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            summaries.Add(new ReportSummary(model, e.GetString("Version") ?? "", e.GetString("RunId") ?? "", e.GetDateTimeOffset("GeneratedUtc") ?? default,
                e.GetInt64("Rows") ?? 0, e.GetBoolean("DatasetDrift") ?? false, e.GetDouble("DriftShare") ?? 0, e.GetBoolean("PredictionDrift") ?? false,
                e.GetBoolean("PerformanceDecay") ?? false, e.GetInt32("Findings") ?? 0, e.GetString("JsonBlob") ?? "", e.GetString("HtmlBlob") ?? "",
                e.GetInt64("Requests"), e.GetDouble("ErrorRate"), e.GetDouble("LatencyP95Ms"), e.GetInt64("Errors"), e.GetDouble("LatencyP50Ms"),
                e.GetDouble("LatencyP99Ms")));
            if (summaries.Count >= limit)
            {
                break;
            }
        }

        return summaries;
    }

    /// <summary>
    /// The service figures of <paramref name="version"/>'s previous window: those of its newest report generated in
    /// [<paramref name="notBefore"/>, <paramref name="notAfter"/>] (one partition range query, newest first, filtered on
    /// the version); null when there is none, or only reports stored before their summaries carried service figures.
    /// </summary>
    public async Task<PreviousWindow?> PreviousAsync(string model, string version, DateTimeOffset notBefore, DateTimeOffset notAfter, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {model} and RowKey ge {InvertedTicks(notAfter)} and RowKey lt {InvertedTicks(notBefore.AddTicks(-1))} and Version eq {version}");
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (e.GetInt64("Requests") is not { } requests || e.GetDateTimeOffset("WindowStartUtc") is not { } start || e.GetDateTimeOffset("WindowEndUtc") is not { } end)
            {
                return null;
            }

            return new PreviousWindow(e.GetString("RunId") ?? "", start, end, requests, e.GetDouble("ErrorRate") ?? 0, e.GetDouble("LatencyP95Ms"));
        }

        return null;
    }

    /// <summary>The RowKey prefix of a report generated at <paramref name="time"/>: later reports sort first.</summary>
    private static string InvertedTicks(DateTimeOffset time) => $"{DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks:D19}";

    /// <summary>The page of one report (a version's report of one run) as stored bytes; null when there is none.</summary>
    public Task<byte[]?> PageAsync(string model, string version, string runId, CancellationToken cancellationToken) =>
        ReadAsync($"{model}/{version}/{runId}/report.html", cancellationToken);

    /// <summary>One report (a version's report of one run) as its stored JSON bytes; null when there is none.</summary>
    public Task<byte[]?> ReportAsync(string model, string version, string runId, CancellationToken cancellationToken) =>
        ReadAsync($"{model}/{version}/{runId}/report.json", cancellationToken);

    /// <summary>The latest report of a model (any version) as stored bytes; null when it has none. <paramref name="extension"/> is json or html.</summary>
    public Task<byte[]?> LatestAsync(string model, string extension, CancellationToken cancellationToken) =>
        ReadAsync($"{model}/latest.{extension}", cancellationToken);

    private async Task<byte[]?> ReadAsync(string blob, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        try
        {
            return (await _container.GetBlobClient(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
