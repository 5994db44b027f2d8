using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Core.Training;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations.Training;

using Serverless.Tests.Support;

namespace Serverless.Tests.Orchestrations;

/// <summary>
/// The training sweep on the in-process Durable test host with fake activities and a fake trial runner whose
/// trials take a couple of polls; failure injection through the runner (a trial that fails, a trial that throws).
/// </summary>
public sealed class TrainingSweepOrchestratorTests
{
    private readonly ConcurrentDictionary<string, int> _polls = new();
    private readonly ConcurrentDictionary<string, TrialRecord> _trials = new();
    private readonly ConcurrentBag<SweepRecord> _sweeps = [];
    private readonly ConcurrentBag<string> _cancelled = [];
    private readonly ConcurrentBag<PromotionInput> _promotions = [];
    private readonly ConcurrentBag<TrialWork> _started = [];
    private RegistrationInput? _registered;
    private WarmStartInput? _warmAsked;
    private WarmStartSource _warmSource = new(null, "not asked");

    /// <summary>AUC per trial id: t001 0.70, t002 0.90, t003 0.80, t004 0.60.</summary>
    private static double Auc(string trialId) => trialId switch { "t001" => 0.70, "t002" => 0.90, "t003" => 0.80, _ => 0.60 };

    [Fact]
    public async Task Sweep_OneTrialFailsAndOneThrows_RecordsThemAndRegistersTheBestOfTheRest()
    {
        await using var host = await StartHostAsync(failing: ["t002"], throwing: ["t004"]);

        var metadata = await RunAsync(host, Request());

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        var result = metadata.ReadOutputAs<SweepResult>()!;
        Assert.Equal("t003", result.BestTrialId);
        Assert.Equal(["t003", "t001"], result.Leaderboard.Select(t => t.TrialId));
        Assert.Equal(2, result.TrialsFailed);
        Assert.Equal("t003", _registered!.Best.TrialId);
        Assert.Equal("failed", _trials["t002"].Status);
        Assert.Contains("exit code 1", _trials["t002"].Error);
        Assert.Contains("runner unreachable", _trials["t004"].Error);
        Assert.Equal("succeeded", _trials["t001"].Status);
        Assert.Contains(_sweeps, s => s.Status == "completed" && s.BestTrialId == "t003" && s.TrialsFailed == 2 && s.DataFingerprint == "abc");
        var progress = JsonSerializer.Deserialize<SweepProgress>(metadata.SerializedCustomStatus!)!;
        Assert.Equal((4, 4, 2, "t003"), (progress.TrialsTotal, progress.TrialsDone, progress.TrialsFailed, progress.BestTrialId));
    }

    [Fact]
    public async Task Sweep_WarmStartFromAVersionWithATrainedPipeline_GivesItToEveryTrial_AndTheLeaderboardCarriesTheOutcome()
    {
        _warmSource = new WarmStartSource(new TrialWarmStart("https://x/sweeps/old/trials/t001/model.zip", "lightgbm", "version 3 of churn"), null);
        await using var host = await StartHostAsync(failing: [], throwing: []);

        var done = await RunAsync(host, Request() with { WarmStartFrom = new SweepWarmStart("3") });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(new WarmStartInput("churn", "3"), _warmAsked);
        Assert.All(_started, w => Assert.Equal(_warmSource.Source, w.WarmStart));
        Assert.Equal(_warmSource.Source, _started.First().ToSpec("https://x/out").WarmStart);
        var result = done.ReadOutputAs<SweepResult>()!;
        Assert.Null(result.WarmStartNote);
        Assert.All(result.Leaderboard, t => Assert.Equal((true, "continued from version 3 of churn"), (t.WarmStart, t.WarmStartNote)));
    }

    [Fact]
    public async Task Sweep_WarmStartFromAVersionWithoutAPipeline_TrainsFromScratch_AndTheResultSaysWhy()
    {
        _warmSource = new WarmStartSource(null, "version 2 of other was not registered by a training sweep");
        await using var host = await StartHostAsync(failing: [], throwing: []);

        var done = await RunAsync(host, Request() with { WarmStartFrom = new SweepWarmStart("2", "other") });

        Assert.Equal(new WarmStartInput("other", "2"), _warmAsked);
        Assert.All(_started, w => Assert.Null(w.WarmStart));
        var result = done.ReadOutputAs<SweepResult>()!;
        Assert.Equal(_warmSource.Reason, result.WarmStartNote);
        Assert.All(result.Leaderboard, t => Assert.Null(t.WarmStart));
    }

    [Fact]
    public async Task Sweep_WithoutWarmStart_NeverResolvesOne()
    {
        await using var host = await StartHostAsync(failing: [], throwing: []);

        await RunAsync(host, Request());

        Assert.Null(_warmAsked);
        Assert.All(_started, w => Assert.Null(w.WarmStart));
    }

    [Fact]
    public async Task Sweep_EveryTrialFails_FailsTheSweepWithTheFirstErrorAndRecordsIt()
    {
        await using var host = await StartHostAsync(failing: ["t001", "t002", "t003", "t004"], throwing: []);

        var metadata = await RunAsync(host, Request());

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Contains("All 4 trial(s) failed", metadata.FailureDetails!.ErrorMessage);
        Assert.Null(_registered);
        Assert.Contains(_sweeps, s => s.Status == "failed" && s.Error!.Contains("All 4 trial(s) failed"));
    }

    [Fact]
    public async Task Sweep_PromoteIfBetter_CandidateBeatsIncumbentByTheMargin_MovesTheAliasConditionally()
    {
        await using var host = await StartHostAsync(failing: [], throwing: [], incumbent: ("3", "etag-3", 0.85), candidateServed: 0.90);

        var metadata = await RunAsync(host, Request() with { Promotion = new PromotionPolicy { Policy = PromotionPolicy.PromoteIfBetter, Margin = 0.01 } });

        var result = metadata.ReadOutputAs<SweepResult>()!;
        Assert.True(result.Promoted, result.PromotionReason);
        var promotion = Assert.Single(_promotions);
        Assert.Equal(("production", "4", "etag-3"), (promotion.Alias, promotion.Version, promotion.IfMatch));
        Assert.Equal(metadata.InstanceId, promotion.SweepId);
        Assert.Equal(result.PromotionReason, promotion.Reason);
    }

    [Fact]
    public async Task Sweep_PromoteIfBetter_CandidateNotBetterByTheMargin_LeavesTheAlias()
    {
        await using var host = await StartHostAsync(failing: [], throwing: [], incumbent: ("3", "etag-3", 0.895), candidateServed: 0.90);

        var metadata = await RunAsync(host, Request() with { Promotion = new PromotionPolicy { Policy = PromotionPolicy.PromoteIfBetter, Margin = 0.01 } });

        var result = metadata.ReadOutputAs<SweepResult>()!;
        Assert.False(result.Promoted);
        Assert.Contains("does not beat version 3", result.PromotionReason);
        Assert.Empty(_promotions);
    }

    [Fact]
    public async Task Sweep_PromoteIfBetter_NoIncumbent_Promotes()
    {
        await using var host = await StartHostAsync(failing: [], throwing: [], incumbent: null, candidateServed: 0.90);

        var metadata = await RunAsync(host, Request() with { Promotion = new PromotionPolicy { Policy = PromotionPolicy.PromoteIfBetter } });

        Assert.True(metadata.ReadOutputAs<SweepResult>()!.Promoted);
        Assert.Null(Assert.Single(_promotions).IfMatch);
    }

    [Fact]
    public async Task Trial_OutlivesItsTimeout_IsCancelledAndRecordedAsFailed()
    {
        await using var host = await StartHostAsync(failing: [], throwing: [], neverEnding: true);

        var metadata = await RunAsync(host, Request() with { Algorithms = [new AlgorithmSearch { Name = "lightgbm" }] }, timeout: TimeSpan.FromSeconds(2));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Contains("timed out", _trials["t001"].Error);
        Assert.Single(_cancelled);
    }

    private static TrainingSweepRequest Request() => new()
    {
        Dataset = "data/churn.csv",
        Target = "churned",
        Task = "binary",
        Metric = MetricNames.Auc,
        ModelName = "churn",
        MaxParallelTrials = 2,
        Algorithms =
        [
            new AlgorithmSearch
            {
                Name = "lightgbm",
                Grid = new Dictionary<string, IReadOnlyList<JsonElement>>
                {
                    ["num_leaves"] = [JsonDocument.Parse("8").RootElement, JsonDocument.Parse("16").RootElement],
                    ["learning_rate"] = [JsonDocument.Parse("0.1").RootElement, JsonDocument.Parse("0.2").RootElement],
                },
            },
        ],
    };

    private static async Task<OrchestrationMetadata> RunAsync(DurableTaskTestHost host, TrainingSweepRequest request, TimeSpan? timeout = null)
    {
        var input = new SweepInput("sweep-test", request, "{}", TimeSpan.FromMilliseconds(200), timeout ?? TimeSpan.FromMinutes(5));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TrainingSweepOrchestrator.Name, input);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancel.Token);
    }

    private Task<DurableTaskTestHost> StartHostAsync(string[] failing, string[] throwing, (string Version, string ETag, double Auc)? incumbent = null,
        double candidateServed = 0.9, bool neverEnding = false) =>
        DurableTestHosts.StartAsync(registry =>
        {
            registry.AddOrchestrator<TrainingSweepOrchestrator>();
            registry.AddOrchestrator<RunTrialOrchestrator>();
            registry.AddActivityFunc<SweepRecord, bool>(RecordSweepActivity.Name, (_, sweep) =>
            {
                _sweeps.Add(sweep);
                return true;
            });
            registry.AddActivityFunc<SweepInput, SweepData>(PrepareSweepDataActivity.Name, (_, input) => new SweepData(
                "https://x/sweeps/sweep-test/data/train.csv", "https://x/sweeps/sweep-test/data/validation.csv", "https://x/b.json", "https://x/p.json",
                [new TrialFeature("age", TrialFeature.Numeric)], "1", ["0", "1"], 80, 20, 0, "abc"));
            registry.AddActivityFunc<TrialWork, TrialExecution>(StartTrialActivity.Name, (_, work) =>
            {
                _started.Add(work);
                return throwing.Contains(work.Trial.TrialId)
                    ? throw new HttpRequestException("runner unreachable")
                    : new TrialExecution("fake", "exec-" + work.Trial.TrialId, work.Trial.TrialId);
            });
            registry.AddActivityFunc<WarmStartInput, WarmStartSource>(ResolveWarmStartActivity.Name, (_, input) =>
            {
                _warmAsked = input;
                return _warmSource;
            });
            registry.AddActivityFunc<TrialExecution, TrialExecutionStatus>(CheckTrialActivity.Name, (_, execution) =>
            {
                var polls = _polls.AddOrUpdate(execution.TrialId, 1, (_, n) => n + 1);
                return neverEnding || polls < 2 ? new TrialExecutionStatus(TrialState.Running)
                    : failing.Contains(execution.TrialId) ? new TrialExecutionStatus(TrialState.Failed, "exit code 1: boom")
                    : new TrialExecutionStatus(TrialState.Succeeded);
            });
            registry.AddActivityFunc<TrialExecution, bool>(CancelTrialActivity.Name, (_, execution) =>
            {
                _cancelled.Add(execution.TrialId);
                return true;
            });
            registry.AddActivityFunc<TrialWork, TrialMetrics>(CollectTrialActivity.Name, (_, work) =>
                new TrialMetrics
                {
                    Metrics = new Dictionary<string, double> { [MetricNames.Auc] = Auc(work.Trial.TrialId) },
                    TrainSeconds = 1,
                    WarmStart = work.WarmStart is null ? null : true,
                    WarmStartNote = work.WarmStart is { } warm ? $"continued from {warm.From}" : null,
                });
            registry.AddActivityFunc<TrialRecordInput, bool>(RecordTrialActivity.Name, (_, input) =>
            {
                _trials[input.Result.TrialId] = new TrialRecord
                {
                    SweepId = input.SweepId, TrialId = input.Result.TrialId, Algorithm = input.Result.Algorithm, HyperparametersJson = "{}",
                    Status = input.Result.Status, Error = input.Result.Error,
                };
                return true;
            });
            registry.AddActivityFunc<RegistrationInput, string>(RegisterBestModelActivity.Name, (_, input) =>
            {
                _registered = input;
                return "4";
            });
            registry.AddActivityFunc<EvaluationInput, EvaluationResult>(EvaluateModelActivity.Name, (_, input) =>
                new EvaluationResult(input.Version, new Dictionary<string, double> { [MetricNames.Auc] = input.Version == "4" ? candidateServed : incumbent!.Value.Auc },
                    20, 0, null));
            registry.AddActivityFunc<IncumbentInput, Incumbent>(ResolveIncumbentActivity.Name, (_, _) =>
                new Incumbent(incumbent?.Version, incumbent?.ETag));
            registry.AddActivityFunc<PromotionInput, string?>(PromoteModelActivity.Name, (TaskActivityContext _, PromotionInput input) =>
            {
                _promotions.Add(input);
                return (string?)null;
            });
        });
}
