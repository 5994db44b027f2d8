using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Telemetry;
using Serverless.Tests.Monitoring.Logging;

namespace Serverless.Tests.Telemetry;

public sealed class AppMetricsTests
{
    [Fact]
    public void Complete_AnsweredRequest_CountsAndTimesItPerModelVersionApiAndOutcome()
    {
        var time = new FakeTimeProvider();
        using var harness = new LoggingHarness(time: time);
        using var metrics = new MetricRecorder("model", "metrics-complete");
        var capture = harness.Logger.Begin(InferenceLogSource.Infer, "metrics-complete", "3", null);
        time.Advance(TimeSpan.FromMilliseconds(42));

        harness.Logger.Complete(capture);

        var request = Assert.Single(metrics.Of("serving.inference.requests"));
        var duration = Assert.Single(metrics.Of("serving.inference.duration"));
        Assert.Equal(AppMetrics.ServingMeter, request.Meter);
        Assert.Equal(1, request.Value);
        Assert.Equal(42, duration.Value, precision: 6);
        Assert.Equal("ms", duration.Unit);
        Assert.Equal("3", duration.Tags["version"]);
        Assert.Equal("infer", duration.Tags["api"]);
        Assert.Equal("ok", duration.Tags["outcome"]);
    }

    [Theory]
    [InlineData(ServingErrorKind.BadRequest, "client_error")]
    [InlineData(ServingErrorKind.NotFound, "client_error")]
    [InlineData(ServingErrorKind.PayloadTooLarge, "client_error")]
    [InlineData(ServingErrorKind.IntegrityFailure, "server_error")]
    [InlineData(ServingErrorKind.Unavailable, "server_error")]
    public void Fail_ServingException_OutcomeFollowsItsStatus(ServingErrorKind kind, string outcome)
    {
        using var harness = new LoggingHarness();
        var model = $"metrics-fail-{kind}";
        using var metrics = new MetricRecorder("model", model);

        harness.Logger.Fail(harness.Logger.Begin(InferenceLogSource.Predict, model, null, null), new ServingException(kind, "no"));

        var request = Assert.Single(metrics.Of("serving.inference.requests"));
        Assert.Equal(outcome, request.Tags["outcome"]);
        Assert.Equal("predict", request.Tags["api"]);
    }

    [Fact]
    public void Fail_ClientWentAwayOrServerFault_AreCanceledAndServerError()
    {
        using var harness = new LoggingHarness();
        using var metrics = new MetricRecorder("model", "metrics-other");

        harness.Logger.Fail(harness.Logger.Begin(InferenceLogSource.Infer, "metrics-other", "1", null), new OperationCanceledException());
        harness.Logger.Fail(harness.Logger.Begin(InferenceLogSource.Infer, "metrics-other", "1", null), new InvalidOperationException("boom"));

        Assert.Equal(["canceled", "server_error"], metrics.Of("serving.inference.requests").Select(m => m.Tags["outcome"]).Order());
    }

    [Fact]
    public void Complete_WithLoggingOff_StillCounts()
    {
        using var harness = new LoggingHarness(new InferenceLogOptions { Enabled = false });
        using var metrics = new MetricRecorder("model", "metrics-unlogged");

        harness.Logger.Complete(harness.Logger.Begin(InferenceLogSource.Infer, "metrics-unlogged", "1", null));

        Assert.Single(metrics.Of("serving.inference.requests"));
    }

    [Fact]
    public void Complete_HostsOwnWarmup_IsNotCounted()
    {
        using var harness = new LoggingHarness();
        using var metrics = new MetricRecorder("model", "metrics-warmup");

        harness.Logger.Complete(harness.Logger.Begin(InferenceLogSource.Infer, "metrics-warmup", "1", null, harness.Logger.WarmupToken));
        harness.Logger.Complete(harness.Logger.Begin(InferenceLogSource.Infer, "metrics-warmup", "1", null, "not-the-token"));

        Assert.Single(metrics.Of("serving.inference.requests"));
    }

    [Fact]
    public void RecordReport_CountsTheReportAndEachFindingByKind()
    {
        using var metrics = new MetricRecorder("model", "metrics-monitor");

        AppMetrics.RecordReport("metrics-monitor", "2", ["data_drift", "errors"]);

        Assert.Single(metrics.Of("monitoring.reports"));
        Assert.Equal(["data_drift", "errors"], metrics.Of("monitoring.findings").Select(m => m.Tags["kind"]).Order());
        Assert.All(metrics.Measurements, m => Assert.Equal(AppMetrics.MonitoringMeter, m.Meter));
    }

    [Fact]
    public void RecordChunk_CountsTheChunkAndItsScoredAndBadRows()
    {
        using var metrics = new MetricRecorder("model", "metrics-batch");

        AppMetrics.RecordChunk("metrics-batch", "1", scoredRows: 998, badRows: 2, milliseconds: 150);

        Assert.Single(metrics.Of("batch_scoring.chunks"));
        Assert.Equal(150, Assert.Single(metrics.Of("batch_scoring.chunk.duration")).Value);
        var rows = metrics.Of("batch_scoring.rows").ToDictionary(m => m.Tags["result"]!, m => m.Value);
        Assert.Equal(998, rows["scored"]);
        Assert.Equal(2, rows["bad"]);
    }

    [Fact]
    public void RecordTrial_CountsByStatusAndTimesOnlyReportedTraining()
    {
        using var metrics = new MetricRecorder("algorithm", "metrics-algo");

        AppMetrics.RecordTrial("metrics-algo", "succeeded", 12.5);
        AppMetrics.RecordTrial("metrics-algo", "failed", null);

        Assert.Equal(["failed", "succeeded"], metrics.Of("training.trials").Select(m => m.Tags["status"]).Order());
        Assert.Equal(12.5, Assert.Single(metrics.Of("training.trial.duration")).Value);
    }

    [Fact]
    public void Meters_EveryMeterMatchesTheWildcardCollectors()
    {
        Assert.All(AppMetrics.Meters, name => Assert.StartsWith(AppMetrics.MeterPrefix, name, StringComparison.Ordinal));
        Assert.Equal(AppMetrics.MeterPrefix + "*", AppMetrics.MeterWildcard);
        Assert.Contains(InferenceLogBuffer.MeterName, AppMetrics.Meters);
    }
}
