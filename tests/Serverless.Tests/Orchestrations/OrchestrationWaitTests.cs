using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Primitives;
using Moq;
using Serverless.Core.Errors;
using Serverless.Functions.Orchestrations;

namespace Serverless.Tests.Orchestrations;

public sealed class OrchestrationWaitTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("120", 120)]
    public void Parse_WholeSecondsInRange_IsThatWait(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), OrchestrationWait.Parse(new StringValues(text)));
    }

    [Fact]
    public void Parse_Absent_IsNoWait()
    {
        Assert.Null(OrchestrationWait.Parse(StringValues.Empty));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("121")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("5.0")]
    [InlineData("99999999999")]
    public void Parse_OutOfRangeOrNotWhole_IsBadRequestNamingIt(string text)
    {
        var error = Assert.Throws<ServingException>(() => OrchestrationWait.Parse(new StringValues(text)));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("'wait'", error.Message);
    }

    [Fact]
    public void Parse_Repeated_IsBadRequest()
    {
        Assert.Throws<ServingException>(() => OrchestrationWait.Parse(new StringValues(["1", "2"])));
    }

    [Fact]
    public async Task UntilEnded_InstanceStillRunningWhenTheWaitRunsOut_AnswersItsCurrentStatus()
    {
        var client = new Mock<DurableTaskClient>("test");
        client.Setup(c => c.WaitForInstanceCompletionAsync("i1", true, It.IsAny<CancellationToken>()))
            .Returns(async (string _, bool _, CancellationToken token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                throw new InvalidOperationException("unreachable");
            });
        var running = new OrchestrationMetadata("Job", "i1") { RuntimeStatus = OrchestrationRuntimeStatus.Running };
        client.Setup(c => c.GetInstanceAsync("i1", true, It.IsAny<CancellationToken>())).ReturnsAsync(running);

        var answer = await OrchestrationWait.UntilEndedAsync(client.Object, "i1", TimeSpan.FromMilliseconds(50), CancellationToken.None);

        Assert.Same(running, answer);
    }

    [Fact]
    public async Task UntilEnded_CallerGoneAway_DoesNotSwallowTheCancellation()
    {
        var client = new Mock<DurableTaskClient>("test");
        client.Setup(c => c.WaitForInstanceCompletionAsync("i1", true, It.IsAny<CancellationToken>()))
            .Returns(async (string _, bool _, CancellationToken token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                throw new InvalidOperationException("unreachable");
            });
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OrchestrationWait.UntilEndedAsync(client.Object, "i1", TimeSpan.FromSeconds(60), caller.Token));
    }
}
