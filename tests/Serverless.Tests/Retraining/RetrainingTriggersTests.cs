using System.Text.Json;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Retraining;
using Serverless.Orchestrations.Retraining;

namespace Serverless.Tests.Retraining;

/// <summary>
/// What starts a run: a report's findings under a policy's triggers (decay before drift, each only when the policy lists
/// it), the schedule at its boundary, and the guardrails' cooldown and daily limit at theirs.
/// </summary>
public sealed class RetrainingTriggersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Finding_DecayWithTheDecayTrigger_StartsADecayRunCarryingTheReport()
    {
        var trigger = RetrainingTriggers.Finding(Policy(RetrainingSources.Decay), Report(decay: true));

        Assert.NotNull(trigger);
        Assert.Equal(RetrainingSources.Decay, trigger.Kind);
        Assert.Equal(("mon-1", "3", "churn/3/mon-1/report.json"), (trigger.ReportRunId, trigger.ReportVersion, trigger.Report));
        Assert.StartsWith("performance_decay: monitoring run mon-1 found the live metric of version 3 decayed", trigger.Message);
    }

    [Fact]
    public void Finding_DecayWithoutTheDecayTrigger_StartsNothing() =>
        Assert.Null(RetrainingTriggers.Finding(Policy(RetrainingSources.Drift, RetrainingSources.Manual), Report(decay: true)));

    [Fact]
    public void Finding_DatasetDriftWithTheDriftTrigger_StartsADriftRunNamingTheShare()
    {
        var trigger = RetrainingTriggers.Finding(Policy(RetrainingSources.Drift), Report(datasetDrift: true, share: 0.75));

        Assert.Equal(RetrainingSources.Drift, trigger?.Kind);
        Assert.StartsWith("data_drift: 75", trigger!.Message);
        Assert.EndsWith("of the features drifted in monitoring run mon-1 of version 3", trigger.Message);
    }

    [Fact]
    public void Finding_PredictionDriftAloneWithTheDriftTrigger_StartsADriftRun() =>
        Assert.StartsWith("prediction_drift in monitoring run mon-1", RetrainingTriggers.Finding(Policy(RetrainingSources.Drift), Report(predictionDrift: true))?.Message);

    [Fact]
    public void Finding_DriftWithoutTheDriftTrigger_StartsNothing() =>
        Assert.Null(RetrainingTriggers.Finding(Policy(RetrainingSources.Decay, RetrainingSources.Schedule), Report(datasetDrift: true, predictionDrift: true)));

    [Fact]
    public void Finding_DecayAndDriftWithBothTriggers_DecayComesFirst() =>
        Assert.Equal(RetrainingSources.Decay, RetrainingTriggers.Finding(Policy(RetrainingSources.Drift, RetrainingSources.Decay), Report(decay: true, datasetDrift: true))?.Kind);

    [Fact]
    public void Finding_NoFinding_StartsNothing() =>
        Assert.Null(RetrainingTriggers.Finding(Policy(RetrainingSources.Drift, RetrainingSources.Decay, RetrainingSources.Schedule, RetrainingSources.Manual), Report()));

    [Theory]
    [InlineData(null, true)]
    [InlineData(6 * 3600, true)]
    [InlineData((6 * 3600) - 1, false)]
    [InlineData(60, false)]
    public void ScheduleDue_SixHourSchedule_DueExactlyWhenSixHoursPassedSinceTheLastStart(int? secondsSinceLastStart, bool due) =>
        Assert.Equal(due, RetrainingGuardrailRules.ScheduleDue(Policy(RetrainingSources.Schedule) with { ScheduleHours = 6 },
            secondsSinceLastStart is { } seconds ? Now.AddSeconds(-seconds) : null, Now));

    [Fact]
    public void ScheduleDue_NoSchedule_NeverDue() => Assert.False(RetrainingGuardrailRules.ScheduleDue(Policy(RetrainingSources.Decay), null, Now));

    [Theory]
    [InlineData(30 * 60, true)]
    [InlineData((30 * 60) - 1, false)]
    public void Guardrails_Cooldown_AllowsExactlyWhenItHasPassed(int secondsSinceLastStart, bool allowed)
    {
        var policy = Policy(RetrainingSources.Decay) with { Guardrails = new RetrainingGuardrails { MaxRunsPerDay = 5, CooldownMinutes = 30 } };

        var refusal = RetrainingGuardrailRules.Refusal(policy, RetrainingSources.Decay, [Run(Now.AddSeconds(-secondsSinceLastStart))], Now);

        Assert.Equal(allowed, refusal is null);
    }

    [Theory]
    [InlineData(24 * 3600, true)]
    [InlineData((24 * 3600) - 1, false)]
    public void Guardrails_MaxRunsPerDay_ARunCountsForExactly24Hours(int secondsSinceLastStart, bool allowed)
    {
        var policy = Policy(RetrainingSources.Decay) with { Guardrails = new RetrainingGuardrails { MaxRunsPerDay = 1, CooldownMinutes = 0 } };

        var refusal = RetrainingGuardrailRules.Refusal(policy, RetrainingSources.Decay, [Run(Now.AddSeconds(-secondsSinceLastStart))], Now);

        Assert.Equal(allowed, refusal is null);
    }

    private static RetrainingPolicy Policy(params string[] triggers) => new()
    {
        Triggers = triggers,
        Data = new RetrainingData(),
        Sweep = JsonDocument.Parse("{}").RootElement,
    };

    private static ReportSummary Report(bool decay = false, bool datasetDrift = false, bool predictionDrift = false, double share = 0) =>
        new("churn", "3", "mon-1", Now, 500, datasetDrift, share, predictionDrift, decay, 1, "churn/3/mon-1/report.json", "churn/3/mon-1/report.html");

    private static RetrainingRun Run(DateTimeOffset created) => new()
    {
        RunId = "rt-1", Model = "churn", Alias = "production", Status = RetrainingStatuses.Completed, Trigger = new RetrainingTrigger("decay", "x"), CreatedUtc = created,
    };
}
