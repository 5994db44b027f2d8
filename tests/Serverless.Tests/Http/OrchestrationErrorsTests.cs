using Microsoft.DurableTask;
using Serverless.Core.Errors;
using Serverless.Functions.Orchestrations;

namespace Serverless.Tests.Http;

public sealed class OrchestrationErrorsTests
{
    [Fact]
    public void Describe_ActivityRefusal_IsTheInnermostMessageWithoutDurablesWrapper()
    {
        var failure = new TaskFailureDetails("Microsoft.DurableTask.TaskFailedException",
            "Task 'PrepareSweepData' (#0) failed with an unhandled exception: 'y' holds 3 distinct values", null,
            new TaskFailureDetails(typeof(ServingException).FullName!, "'y' holds 3 distinct values", null, null, null), null);

        Assert.Equal("'y' holds 3 distinct values", OrchestrationErrors.Describe(failure, "i1"));
    }

    [Fact]
    public void Describe_StorageFailure_SaysWhatFailedInWordsNotItsTypeOrText()
    {
        var failure = new TaskFailureDetails("Microsoft.DurableTask.TaskFailedException", "Task 'ScoreChunk' (#3) failed", null,
            new TaskFailureDetails("Azure.RequestFailedException", "Server failed at https://acct.blob.core.windows.net/data?sig=secret", null, null, null), null);

        var error = OrchestrationErrors.Describe(failure, "i2");

        Assert.Equal("The orchestration failed because a storage request failed; the detail is in the logs and in the history of instance 'i2'.", error);
    }

    [Fact]
    public void Describe_StorageFailureInsideTheLocalRunnersText_SaysWhatFailedInWords()
    {
        var failure = new TaskFailureDetails("OrchestrationFailed",
            "Microsoft.DurableTask.TaskFailedException: Task 'ScoreChunk' (#3) failed with an unhandled exception: Azure.RequestFailedException: " +
            "Server failed at https://acct.blob.core.windows.net/data?sig=secret", null, null, null);

        var error = OrchestrationErrors.Describe(failure, "i6");

        Assert.Equal("The orchestration failed because a storage request failed; the detail is in the logs and in the history of instance 'i6'.", error);
    }

    [Theory]
    [InlineData("Microsoft.DurableTask.TaskFailedException: Task 'BatchScoringPlan' (#19) failed with an unhandled exception: " +
                "Serverless.Core.Errors.ServingException: 'alias': alias 'prod' of model 'churn' does not exist.",
        "'alias': alias 'prod' of model 'churn' does not exist.")]
    [InlineData("System.InvalidOperationException: All 2 trial(s) failed; the first: Task 'TrainingStartTrial' (#0) failed with an unhandled exception: " +
                "System.ArgumentException: the trainer refused the spec.",
        "All 2 trial(s) failed; the first: the trainer refused the spec.")]
    [InlineData("Sub-orchestration 'ScoreChunkGroup' (#4) failed with an unhandled exception: Task 'ScoreChunk' (#12) failed with an unhandled exception: " +
                "Model 'churn' version '2' has no manifest. Register one with PUT /api/models/churn/versions/2/manifest.",
        "Model 'churn' version '2' has no manifest. Register one with PUT /api/models/churn/versions/2/manifest.")]
    public void Describe_WrappersAndTypeNamesAnywhere_LeaveTheReasonAlone(string message, string reason)
    {
        var error = OrchestrationErrors.Describe(new TaskFailureDetails("OrchestrationFailed", message, null, null, null), "i7");

        Assert.Equal(reason, error);
        Assert.DoesNotContain("Exception", error);
        Assert.DoesNotContain("(#", error);
        Assert.DoesNotContain("System.", error);
    }

    [Fact]
    public void Describe_LocalRunnersTextOfTheException_IsUnwrapped()
    {
        var failure = new TaskFailureDetails("OrchestrationFailed",
            "Microsoft.DurableTask.TaskFailedException: Task 'TrainingPrepareData' (#5) failed with an unhandled exception: 'y' holds 3 distinct values.",
            null, null, null);

        Assert.Equal("'y' holds 3 distinct values.", OrchestrationErrors.Describe(failure, "i4"));
    }

    [Fact]
    public void Describe_AppMessageWithAPath_KeepsTheMessageWithoutThePath()
    {
        var failure = new TaskFailureDetails("System.InvalidOperationException",
            "Training:Process:TrainerPath '/home/site/wwwroot/trainer.dll' does not exist.", null, null, null);

        Assert.Equal("Training:Process:TrainerPath '<path>' does not exist.", OrchestrationErrors.Describe(failure, "i5"));
    }

    [Fact]
    public void Describe_NoFailure_IsNull() => Assert.Null(OrchestrationErrors.Describe(null, "i3"));
}
