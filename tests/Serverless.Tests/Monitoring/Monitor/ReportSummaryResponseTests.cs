using System.Text.Json;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Functions.Http;
using Serverless.Functions.Monitoring;

namespace Serverless.Tests.Monitoring.Monitor;

public sealed class ReportSummaryResponseTests
{
    private static readonly DateTimeOffset Generated = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void From_ASummaryWithServiceFigures_AnswersRequestsErrorsAndP50P95P99Rounded()
    {
        var summary = new ReportSummary("m", "3", "20261201-100000-abcdef", Generated, 40, false, 0, false, false, 1, "m/3/r/report.json", "m/3/r/report.html",
            Requests: 40, ErrorRate: 0.025, LatencyP95Ms: 12.34567, Errors: 1, LatencyP50Ms: 3.14159, LatencyP99Ms: 40.00049);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(ReportSummaryResponse.From(summary), ApiJson.Options));
        var root = json.RootElement;

        Assert.Equal(40, root.GetProperty("requests").GetInt64());
        Assert.Equal(1, root.GetProperty("errors").GetInt64());
        Assert.Equal(0.025, root.GetProperty("error_rate").GetDouble());
        Assert.Equal(3.142, root.GetProperty("latency_p50_ms").GetDouble());
        Assert.Equal(12.346, root.GetProperty("latency_p95_ms").GetDouble());
        Assert.Equal(40.0, root.GetProperty("latency_p99_ms").GetDouble());
    }

    [Fact]
    public void From_ASummaryStoredBeforeItCarriedServiceFigures_AnswersThemAsNull()
    {
        var summary = new ReportSummary("m", "1", "20261201-100000-abcdef", Generated, 0, false, 0, false, false, 0, "j", "h");

        var response = ReportSummaryResponse.From(summary);

        Assert.Equal((null, null, null, null, null, null),
            (response.Requests, response.Errors, response.ErrorRate, response.LatencyP50Ms, response.LatencyP95Ms, response.LatencyP99Ms));
    }
}
