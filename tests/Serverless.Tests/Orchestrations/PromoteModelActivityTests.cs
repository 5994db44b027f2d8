using Microsoft.DurableTask;
using Moq;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Orchestrations;

/// <summary>A sweep's promotion is an alias move like any other: recorded as by the sweep, with its reason.</summary>
public sealed class PromoteModelActivityTests
{
    [Fact]
    public async Task RunAsync_Promotes_RecordingTheSweepAndAReasonCutTo500Characters()
    {
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.GetAliasAsync("churn", "production", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ModelAlias("churn", "production", "3", DateTimeOffset.UnixEpoch, "etag-3"));
        AliasMoveNote? note = null;
        registry.Setup(r => r.SetAliasAsync("churn", "production", "4", "etag-3", It.IsAny<AliasMoveNote>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, string _, string? _, AliasMoveNote n, CancellationToken _) => note = n)
            .ReturnsAsync(new ModelAlias("churn", "production", "4", DateTimeOffset.UnixEpoch, "etag-4"));

        var refused = await new PromoteModelActivity(registry.Object)
            .RunAsync(Mock.Of<TaskActivityContext>(), new PromotionInput("churn", "production", "4", "etag-3", "sweep-abc", new string('r', 900)));

        Assert.Null(refused);
        Assert.Equal("sweep sweep-abc", note!.By);
        Assert.Equal(AliasMoveNote.MaxReasonLength, note.Reason!.Length);
    }
}
