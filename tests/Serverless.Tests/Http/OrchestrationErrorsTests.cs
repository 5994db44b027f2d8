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
    public void Describe_StorageFailure_ShowsOnlyItsTypeNotItsText()
    {
        var failure = new TaskFailureDetails("Microsoft.DurableTask.TaskFailedException", "Task 'ScoreChunk' (#3) failed", null,
            new TaskFailureDetails("Azure.RequestFailedException", "Server failed at https://acct.blob.core.windows.net/data?sig=secret", null, null, null), null);

        var error = OrchestrationErrors.Describe(failure, "i2");

        Assert.Equal("The orchestration failed with RequestFailedException; the detail is in the logs and in the history of instance 'i2'.", error);
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
