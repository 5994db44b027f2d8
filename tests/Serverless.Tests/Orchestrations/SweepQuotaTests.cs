using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.Core.Training.Runners;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Orchestrations;

public sealed class SweepQuotaTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Running, true)]
    [InlineData(OrchestrationRuntimeStatus.Pending, true)]
    [InlineData(OrchestrationRuntimeStatus.Suspended, true)]
    [InlineData(OrchestrationRuntimeStatus.Completed, false)]
    [InlineData(OrchestrationRuntimeStatus.Failed, false)]
    [InlineData(OrchestrationRuntimeStatus.Terminated, false)]
    public void IsActive_WithAnInstance_FollowsTheDurableRuntimeNotTheRecord(OrchestrationRuntimeStatus status, bool expected)
    {
        var instance = new OrchestrationMetadata("TrainingSweep", "sweep-1") { RuntimeStatus = status };

        Assert.Equal(expected, SweepQuota.IsActive(Record(Now.AddDays(-3)), instance, Now));
    }

    [Fact]
    public void IsActive_NoInstanceYet_HoldsTheSlotOnlyDuringTheGrace()
    {
        Assert.True(SweepQuota.IsActive(Record(Now.AddSeconds(-5)), null, Now));
        Assert.False(SweepQuota.IsActive(Record(Now - SweepQuota.StartingGrace), null, Now));
    }

    [Fact]
    public void CreateInput_FixesTheRequestsTimeoutAndTheTrialCap()
    {
        var options = new TrainingOptions { TrialTimeoutMinutes = 60, MaxTrialsPerSweep = 50, PollIntervalSeconds = 3 };
        var request = new TrainingSweepRequest
        {
            Dataset = "training/x.csv", Target = "y", Task = "binary", Metric = "auc", ModelName = "m", Algorithms = [new AlgorithmSearch { Name = "sdca" }],
        };

        var defaulted = TrainingSweepStarter.CreateInput("s", request, "{}", options);
        var asked = TrainingSweepStarter.CreateInput("s", request with { TrialTimeoutMinutes = 5 }, "{}", options);

        Assert.Equal((TimeSpan.FromMinutes(60), 50, TimeSpan.FromSeconds(3)), (defaulted.TrialTimeout, defaulted.MaxTrials, defaulted.PollInterval));
        Assert.Equal(TimeSpan.FromMinutes(5), asked.TrialTimeout);
    }

    [Fact]
    public void SweepInput_RecordedBeforeTheCapExisted_GetsTheDefaultCap()
    {
        const string json = """{"SweepId":"s","Request":{"Dataset":"training/x.csv","Target":"y","Task":"binary","Metric":"auc","ModelName":"m","Algorithms":[]},"RequestJson":"{}","PollInterval":"00:00:02","TrialTimeout":"01:00:00"}""";

        Assert.Equal(TrialPlanner.DefaultMaxTrials, JsonSerializer.Deserialize<SweepInput>(json)!.MaxTrials);
    }

    private static SweepRecord Record(DateTimeOffset created) => new()
    {
        SweepId = "sweep-1", Status = SweepRecord.Running, ModelName = "m", Dataset = "training/x.csv", Target = "y", Task = "binary", Metric = "auc",
        CreatedUtc = created,
    };
}
