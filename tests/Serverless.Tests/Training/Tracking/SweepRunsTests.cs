using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;

namespace Serverless.Tests.Training.Tracking;

public sealed class SweepRunsTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly SweepRecord Sweep = new()
    {
        SweepId = "sweep-20261201-100000-abcdef",
        Status = SweepRecord.Completed,
        ModelName = "churn",
        Dataset = "training/churn.csv",
        Target = "churned",
        Task = "binary",
        Metric = "auc",
        TrainRows = 800,
        ValidationRows = 200,
        TrialsTotal = 2,
        TrialsSucceeded = 1,
        TrialsFailed = 1,
        BestTrialId = "t001",
        BestValue = 0.91,
        RegisteredVersion = "3",
        Promoted = true,
        CreatedUtc = Created,
        CompletedUtc = Created.AddMinutes(5),
    };

    private static readonly TrialRecord Trial = new()
    {
        SweepId = Sweep.SweepId,
        TrialId = "t001",
        Algorithm = "lightgbm",
        HyperparametersJson = """{"num_leaves": 16, "objective": "binary", "learning_rate": 0.1}""",
        Status = "succeeded",
        Metrics = new Dictionary<string, double> { ["auc"] = 0.91, ["accuracy"] = 0.84 },
        Runner = "process",
        OutputUri = "http://127.0.0.1:10000/devstoreaccount1/training/x/trials/t001",
        TrainSeconds = 1.5,
        StartedUtc = Created.AddMinutes(1),
        EndedUtc = Created.AddMinutes(2),
    };

    [Fact]
    public void SweepRun_IsTheParent_WithWhatItTrainedItsBestValueAndItsOutcome()
    {
        var run = SweepRuns.ToRun(Sweep);

        Assert.Equal((Sweep.SweepId, SweepRuns.ExperimentId, Lifecycle.Finished, Lifecycle.Active), (run.Info.RunId, run.Info.ExperimentId, run.Info.Status, run.Info.LifecycleStage));
        Assert.Equal((Created.ToUnixTimeMilliseconds(), Created.AddMinutes(5).ToUnixTimeMilliseconds()), (run.Info.StartTime, run.Info.EndTime!.Value));
        Assert.Equal($"mlflow-artifacts:/{SweepRuns.ExperimentId}/{Sweep.SweepId}/artifacts", run.Info.ArtifactUri);
        Assert.Equal(0.91, run.Metrics.Single(m => m.Key == "auc").Value);
        Assert.Equal(1, run.Metrics.Single(m => m.Key == "trials_failed").Value);
        Assert.Equal("churn", run.Params["model_name"]);
        Assert.Equal("800", run.Params["train_rows"]);
        Assert.Equal(Sweep.SweepId, run.Tags[Lifecycle.RunNameTag]);
        Assert.Equal(("3", "true"), (run.Tags["registered_version"], run.Tags["promoted"]));
        Assert.False(run.Tags.ContainsKey(Lifecycle.ParentRunIdTag));
        Assert.False(run.Tags.ContainsKey("error"));
    }

    [Fact]
    public void TrialRun_IsAChildOfItsSweep_WithHyperparametersAsParamsAndScoresAsMetrics()
    {
        var run = SweepRuns.ToRun(Sweep, Trial);

        Assert.Equal($"{Sweep.SweepId}-t001", run.Info.RunId);
        Assert.Equal("t001-lightgbm", run.Info.RunName);
        Assert.Equal(Lifecycle.Finished, run.Info.Status);
        Assert.Equal(Created.AddMinutes(2).ToUnixTimeMilliseconds(), run.Info.EndTime);
        Assert.Equal(Sweep.SweepId, run.Tags[Lifecycle.ParentRunIdTag]);
        Assert.Equal(("t001", "true", "process"), (run.Tags[SweepRuns.TrialIdTag], run.Tags["best_trial"], run.Tags["runner"]));
        Assert.Equal(new Dictionary<string, string> { ["num_leaves"] = "16", ["objective"] = "binary", ["learning_rate"] = "0.1", ["algorithm"] = "lightgbm" }, run.Params);
        Assert.Equal(["accuracy", "auc", "train_seconds"], run.Metrics.Select(m => m.Key).Order());
        Assert.All(run.Metrics, m => Assert.Equal((run.Info.EndTime!.Value, 0L), (m.Timestamp, m.Step)));
    }

    [Fact]
    public void RunningTrial_HasNoEndTime_AndAFailedOneKeepsItsReasonAsATag()
    {
        var running = SweepRuns.ToRun(Sweep, Trial with { Status = "running", EndedUtc = null, Metrics = new Dictionary<string, double>() });
        var failed = SweepRuns.ToRun(Sweep with { BestTrialId = null }, Trial with { Status = "failed", Error = new string('e', 9000) });

        Assert.Equal((Lifecycle.Running, (long?)null), (running.Info.Status, running.Info.EndTime));
        Assert.Equal(Lifecycle.Failed, failed.Info.Status);
        Assert.Equal(TrackingLimits.MaxTagValueLength, failed.Tags["error"].Length);
        Assert.False(failed.Tags.ContainsKey("best_trial"));
    }

    [Theory]
    [InlineData(SweepRecord.Starting, Lifecycle.Scheduled)]
    [InlineData(SweepRecord.Running, Lifecycle.Running)]
    [InlineData(SweepRecord.Completed, Lifecycle.Finished)]
    [InlineData("succeeded", Lifecycle.Finished)]
    [InlineData(SweepRecord.Failed, Lifecycle.Failed)]
    [InlineData(SweepRecord.Ended, Lifecycle.Killed)]
    public void Status_MapsSweepAndTrialStatesToMlflows(string status, string expected)
    {
        Assert.Equal(expected, SweepRuns.Status(status));
    }

    [Fact]
    public void Experiment_SpansTheSweeps_AndIsActive()
    {
        var later = Sweep with { SweepId = "sweep-20261202-100000-abcdef", CreatedUtc = Created.AddDays(1), CompletedUtc = null };

        var experiment = SweepRuns.ToExperiment([later, Sweep]);

        Assert.Equal((SweepRuns.ExperimentId, SweepRuns.ExperimentName, Lifecycle.Active), (experiment.ExperimentId, experiment.Name, experiment.LifecycleStage));
        Assert.Equal((Created.ToUnixTimeMilliseconds(), Created.AddDays(1).ToUnixTimeMilliseconds()), (experiment.CreationTime, experiment.LastUpdateTime));
    }

    [Theory]
    [InlineData("sweep-20261201-100000-abcdef", true)]
    [InlineData("sweep-20261201-100000-abcdef-t001", true)]
    [InlineData("0123456789abcdef0123456789abcdef", false)]
    public void Owns_TellsSweepRunIdsFromStoredOnes(string runId, bool owned)
    {
        Assert.Equal(owned, SweepRuns.Owns(runId));
    }

    [Fact]
    public void ReadOnly_IsABadRequestThatSaysItBelongsToTheSweeps()
    {
        var error = SweepRuns.ReadOnly("Run x");

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("belongs to the app's training sweeps", error.Message);
    }
}
