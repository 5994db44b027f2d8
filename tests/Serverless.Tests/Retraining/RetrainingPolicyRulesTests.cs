using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Retraining;
using Serverless.Core.Storage;

namespace Serverless.Tests.Retraining;

public sealed class RetrainingPolicyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static RetrainingPolicy Policy(string sweep = """{"target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "sdca"}]}""") => new()
    {
        Triggers = [RetrainingSources.Decay, RetrainingSources.Manual],
        Data = new RetrainingData(),
        Sweep = JsonDocument.Parse(sweep).RootElement,
    };

    [Fact]
    public void Validate_ADefaultPolicy_Passes() => RetrainingPolicyRules.Validate(Policy(), DataContainers.Default);

    [Theory]
    [InlineData("triggers", "'triggers' must hold only")]
    [InlineData("schedule", "'schedule_hours' goes with the 'schedule' trigger")]
    [InlineData("reference", "'data.reference_dataset'")]
    [InlineData("container", "'data.reference_dataset' names container 'models'")]
    [InlineData("template", "'sweep.dataset' is set by the loop")]
    [InlineData("steps", "'rollout.steps' must end at 100")]
    [InlineData("guards", "'rollout.guards.max_error_rate'")]
    [InlineData("runs", "'guardrails.max_runs_per_day' must be a whole number from 1 to 48 (was 0)")]
    [InlineData("margin", "'judge.margin' must be a number")]
    public void Validate_AMistake_IsBadRequestNamingTheField(string mistake, string expected)
    {
        var policy = Policy();
        policy = mistake switch
        {
            "triggers" => policy with { Triggers = ["whenever"] },
            "schedule" => policy with { Triggers = [RetrainingSources.Schedule] },
            "reference" => policy with { Data = new RetrainingData { Source = RetrainingSources.Both } },
            "container" => policy with { Data = new RetrainingData { Source = RetrainingSources.Both, ReferenceDataset = "models/x.csv" } },
            "template" => Policy("""{"dataset": "training/x.csv"}"""),
            "steps" => policy with { Rollout = new RetrainingRollout { Steps = [10, 50] } },
            "guards" => policy with { Rollout = new RetrainingRollout { Guards = new Core.Models.RolloutGuards(2, null, null) } },
            "runs" => policy with { Guardrails = new RetrainingGuardrails { MaxRunsPerDay = 0 } },
            _ => policy with { Judge = new RetrainingJudging { Margin = double.NaN } },
        };

        var error = Assert.Throws<ServingException>(() => RetrainingPolicyRules.Validate(policy, DataContainers.Default));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Guardrails_NoRunsYet_Allow() => Assert.Null(RetrainingGuardrailRules.Refusal(Policy(), RetrainingSources.Decay, [], Now));

    [Fact]
    public void Guardrails_TriggerNotInThePolicy_Refuse() =>
        Assert.Contains("do not include 'drift'", RetrainingGuardrailRules.Refusal(Policy(), RetrainingSources.Drift, [], Now));

    [Fact]
    public void Guardrails_ARunUnderWay_Refuse() =>
        Assert.Contains("one run at a time", RetrainingGuardrailRules.Refusal(Policy() with { Guardrails = new RetrainingGuardrails { MaxRunsPerDay = 5, CooldownMinutes = 0 } },
            RetrainingSources.Decay, [Run(Now.AddHours(-2), RetrainingStatuses.WaitingForApproval)], Now));

    [Fact]
    public void Guardrails_MaxRunsPerDayReached_Refuse() =>
        Assert.Contains("max_runs_per_day is 1", RetrainingGuardrailRules.Refusal(Policy() with { Guardrails = new RetrainingGuardrails { CooldownMinutes = 0 } },
            RetrainingSources.Decay, [Run(Now.AddHours(-23), RetrainingStatuses.Completed)], Now));

    [Fact]
    public void Guardrails_WithinTheCooldown_Refuse() =>
        Assert.Contains("cooldown_minutes is 180", RetrainingGuardrailRules.Refusal(Policy() with { Guardrails = new RetrainingGuardrails { MaxRunsPerDay = 5, CooldownMinutes = 180 } },
            RetrainingSources.Decay, [Run(Now.AddHours(-2), RetrainingStatuses.Completed)], Now));

    [Fact]
    public void Guardrails_AfterTheCooldownAndADay_Allow() =>
        Assert.Null(RetrainingGuardrailRules.Refusal(Policy(), RetrainingSources.Decay, [Run(Now.AddHours(-25), RetrainingStatuses.Completed)], Now));

    [Theory]
    [InlineData(0.80, 0.70, 0.05, LiveVerdict.Better)]
    [InlineData(0.74, 0.70, 0.05, LiveVerdict.NotBetter)]
    [InlineData(0.60, 0.70, 0.0, LiveVerdict.NotBetter)]
    public void Judge_EnoughRows_ComparesByTheMargin(double challenger, double champion, double margin, LiveVerdict expected)
    {
        var comparison = new LiveComparison(Now, Now, "auc", challenger, champion, 100, 100);

        Assert.Equal(expected, RetrainingJudge.Judge(comparison, new RetrainingJudging { Margin = margin, MinLabelledRows = 100 }).Verdict);
    }

    [Fact]
    public void Judge_TooFewRowsOnOneSide_Waits()
    {
        var comparison = new LiveComparison(Now, Now, "auc", 0.99, 0.5, 99, 1000);

        var (verdict, reason) = RetrainingJudge.Judge(comparison, new RetrainingJudging { MinLabelledRows = 100 });

        Assert.Equal(LiveVerdict.Waiting, verdict);
        Assert.Contains("99 labelled predictions of the challenger", reason);
    }

    [Fact]
    public void Judge_LowerIsBetterMetric_WinsWhenLower() =>
        Assert.Equal(LiveVerdict.Better, RetrainingJudge.Judge(new LiveComparison(Now, Now, "rmse", 1.0, 2.0, 10, 10), new RetrainingJudging { MinLabelledRows = 10 }).Verdict);

    private static RetrainingRun Run(DateTimeOffset created, string status) => new()
    {
        RunId = "rt-1", Model = "m", Alias = "production", Status = status, Trigger = new RetrainingTrigger("decay", "x"), CreatedUtc = created,
    };
}
