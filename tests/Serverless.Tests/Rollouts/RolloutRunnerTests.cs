using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;
using Serverless.Core.Rollouts;
using static Serverless.Tests.Rollouts.RolloutTestData;

namespace Serverless.Tests.Rollouts;

/// <summary>A rollout run over fakes and a fake clock: held steps keep their readings, healthy ones advance, a broken guard rolls back and alerts, a lost race or a held lock changes nothing.</summary>
public sealed class RolloutRunnerTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly Mock<IModelRegistry> _registry = new();
    private readonly Mock<IAliasRollouts> _rollouts = new();
    private readonly Mock<IRolloutGuards> _guards = new();
    private readonly Mock<IMonitoringRunLock> _lock = new();
    private readonly HookHandler _hook = new();
    private readonly RolloutRunner _runner;
    private AliasRollout _rollout = Rollout();

    public RolloutRunnerTests()
    {
        _rollouts.Setup(r => r.ListRunningRolloutsAsync(It.IsAny<CancellationToken>())).ReturnsAsync([("churn", "production")]);
        _rollouts.Setup(r => r.GetRolloutAsync("churn", "production", It.IsAny<CancellationToken>())).ReturnsAsync(() => _rollout);
        _registry.Setup(r => r.GetAliasAsync("churn", "production", It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new ModelAlias("churn", "production", "3", Start, "alias-etag") { Traffic = RolloutTraffic.Current(_rollout) });
        _lock.Setup(l => l.TryAcquireAsync(It.IsAny<CancellationToken>())).ReturnsAsync(Mock.Of<IAsyncDisposable>());
        var alerts = new WebhookAlertSender(new HttpClient(_hook), Options.Create(new MonitoringOptions { WebhookUrl = "http://localhost:9/hook" }),
            NullLogger<WebhookAlertSender>.Instance);
        _runner = new RolloutRunner(_registry.Object, _rollouts.Object, _guards.Object, alerts, _lock.Object, _clock, NullLogger<RolloutRunner>.Instance);
    }

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task Run_StepTooYoung_HoldsAndSavesTheReadingsWithWhatItWaitsFor()
    {
        Guards(Readings(50));
        _clock.Advance(TimeSpan.FromMinutes(2));
        RolloutReadings? saved = null;
        _rollouts.Setup(r => r.SaveReadingsAsync("churn", "production", _rollout, It.IsAny<RolloutReadings>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, AliasRollout _, RolloutReadings readings, CancellationToken _) => saved = readings)
            .ReturnsAsync((string _, string _, AliasRollout current, RolloutReadings readings, CancellationToken _) => current with { Readings = readings });

        var result = await _runner.RunAsync(default);

        var outcome = Assert.Single(result!.Rollouts);
        Assert.Equal(("held", "running", 0), (outcome.Action, outcome.State, outcome.StepIndex));
        Assert.Contains("50 of 200 requests, 2 of 10 minutes", saved!.Note);
        _rollouts.Verify(r => r.MoveRolloutAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<AliasRollout>(), It.IsAny<AliasRollout>(),
            It.IsAny<AliasTraffic>(), It.IsAny<AliasMoveNote>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Run_HealthyStepEnded_MovesToTheNextSplit_ConditionalOnTheAliasETag()
    {
        Guards(Readings(250));
        _clock.Advance(TimeSpan.FromMinutes(10));
        var moved = ExpectMove();

        var result = await _runner.RunAsync(default);

        var (etag, next, traffic, note) = moved();
        Assert.Equal("alias-etag", etag);
        Assert.Equal((1, Start.AddMinutes(10)), (next.Step, next.StepStartedUtc));
        Assert.Equal("""{"3":75,"4":25}""", traffic.ToJson());
        Assert.Equal(RolloutRunner.MovedBy, note.By);
        Assert.Equal("advanced", Assert.Single(result!.Rollouts).Action);
        Assert.Equal(0, _hook.Calls);
    }

    [Fact]
    public async Task Run_ErrorGuardBroken_RollsBackToTheChampion_AndPostsTheAlert()
    {
        Guards(Readings(10, 10));
        var moved = ExpectMove();

        var result = await _runner.RunAsync(default);

        var (_, next, traffic, note) = moved();
        Assert.Equal(RolloutState.RolledBack, next.State);
        Assert.Equal(AliasTraffic.Single("3"), traffic);
        Assert.Contains("max_error_rate 2 %", note.Reason);
        Assert.Equal(("rolled_back", 1), (Assert.Single(result!.Rollouts).Action, result.AlertsDelivered));
        using var alert = JsonDocument.Parse(_hook.LastBody!);
        Assert.Equal("rollout_rolled_back", alert.RootElement.GetProperty("kind").GetString());
        Assert.Equal(("4", "3"), (alert.RootElement.GetProperty("version").GetString(), alert.RootElement.GetProperty("champion").GetString()));
        Assert.Contains("max_error_rate", alert.RootElement.GetProperty("reason").GetString());
        Assert.Equal(10, alert.RootElement.GetProperty("readings").GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task Run_MetricGuard_ReadsTheMetricOnlyWhenTheStepWouldPass()
    {
        _rollout = Rollout(guards: new RolloutGuards(null, null, 0.05));
        _clock.Advance(TimeSpan.FromMinutes(11));
        _guards.Setup(g => g.ReadAsync("churn", _rollout, It.IsAny<DateTimeOffset>(), false, It.IsAny<CancellationToken>())).ReturnsAsync(Readings(300));
        _guards.Setup(g => g.ReadAsync("churn", _rollout, It.IsAny<DateTimeOffset>(), true, It.IsAny<CancellationToken>())).ReturnsAsync(Readings(300, drop: 0.2));
        var moved = ExpectMove();

        await _runner.RunAsync(default);

        Assert.Equal(RolloutState.RolledBack, moved().Next.State);
        Assert.Contains("max_metric_drop", moved().Next.EndReason);
    }

    [Fact]
    public async Task Run_LostRace_IsSkippedAndSendsNothing()
    {
        Guards(Readings(10, 10));
        _rollouts.Setup(r => r.MoveRolloutAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<AliasRollout>(), It.IsAny<AliasRollout>(),
            It.IsAny<AliasTraffic>(), It.IsAny<AliasMoveNote>(), It.IsAny<CancellationToken>())).ThrowsAsync(ServingException.Conflict("changed concurrently"));

        var result = await _runner.RunAsync(default);

        Assert.Equal("skipped", Assert.Single(result!.Rollouts).Action);
        Assert.Equal(0, _hook.Calls);
    }

    [Fact]
    public async Task Run_AnotherInstanceHoldsTheLock_JudgesNothing()
    {
        _lock.Setup(l => l.TryAcquireAsync(It.IsAny<CancellationToken>())).ReturnsAsync((IAsyncDisposable?)null);

        var result = await _runner.RunAsync(default);

        Assert.Null(result);
        _guards.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Run_AliasNotAtTheRolloutsStep_IsSkippedUnchanged()
    {
        _registry.Setup(r => r.GetAliasAsync("churn", "production", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ModelAlias("churn", "production", "2", Start, "alias-etag"));

        var result = await _runner.RunAsync(default);

        Assert.Equal("skipped", Assert.Single(result!.Rollouts).Action);
        _guards.VerifyNoOtherCalls();
    }

    private void Guards(RolloutReadings readings) =>
        _guards.Setup(g => g.ReadAsync("churn", It.IsAny<AliasRollout>(), It.IsAny<DateTimeOffset>(), It.IsAny<bool>(), It.IsAny<CancellationToken>())).ReturnsAsync(readings);

    private Func<(string ETag, AliasRollout Next, AliasTraffic Traffic, AliasMoveNote Note)> ExpectMove()
    {
        (string, AliasRollout, AliasTraffic, AliasMoveNote)? captured = null;
        _rollouts.Setup(r => r.MoveRolloutAsync("churn", "production", It.IsAny<string>(), It.IsAny<AliasRollout>(), It.IsAny<AliasRollout>(),
                It.IsAny<AliasTraffic>(), It.IsAny<AliasMoveNote>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string name, string alias, string etag, AliasRollout _, AliasRollout next, AliasTraffic traffic, AliasMoveNote note, CancellationToken _) =>
            {
                captured = (etag, next, traffic, note);
                return (new ModelAlias(name, alias, traffic.Primary, Start, "new-etag") { Traffic = traffic }, next);
            });
        return () => captured ?? throw new InvalidOperationException("The rollout was not moved.");
    }

    private sealed class HookHandler : HttpMessageHandler
    {
        public int Calls { get; private set; }

        public string? LastBody { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            LastBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
