using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;

namespace Serverless.Tests.Training.Runners;

/// <summary>Each trial goes to its algorithm's trainer, and each execution's status and cancel back to the runner that started it.</summary>
public sealed class TrialRunnerRouterTests
{
    [Theory]
    [InlineData("torch_mlp", "process-torch")]
    [InlineData("torch_ft_transformer", "process-torch")]
    [InlineData("lightgbm", "process")]
    [InlineData("sdca", "process")]
    [InlineData("xgboost", "process")]
    public async Task Start_RoutesByTheAlgorithmsTrainer(string algorithm, string expected)
    {
        var (builtIn, torch) = (new RecordingRunner("process"), new RecordingRunner("process-torch"));
        var router = new TrialRunnerRouter(builtIn, torch);

        var execution = await router.StartAsync(TrialSpecs.Create() with { Algorithm = algorithm }, "file:///spec.json", default);

        Assert.Equal(expected, execution.Runner);
        Assert.Equal(expected == "process" ? 1 : 0, builtIn.Starts);
        Assert.Equal(expected == "process" ? 0 : 1, torch.Starts);
    }

    [Theory]
    [InlineData("process-torch", "torch")]
    [InlineData("process", "built-in")]
    [InlineData("container-apps", "built-in")]
    public async Task StatusAndCancel_GoToTheRunnerThatStartedTheExecution(string kind, string expected)
    {
        var (builtIn, torch) = (new RecordingRunner("process"), new RecordingRunner("process-torch"));
        var router = new TrialRunnerRouter(builtIn, torch);
        var execution = new TrialExecution(kind, "e-1", "t-1");

        var status = await router.GetStatusAsync(execution, default);
        await router.CancelAsync(execution, default);

        var target = expected == "torch" ? torch : builtIn;
        Assert.Equal(target.Kind, status.Message);
        Assert.Equal(1, target.Cancels);
        Assert.Equal(0, (expected == "torch" ? builtIn : torch).Cancels);
    }

    [Fact]
    public async Task ContainerApps_WithoutTheTorchJob_ServesBuiltInTrialsAndRefusesTorchOnesNamingTheSetting()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Training:Runner"] = "container-apps",
            ["Training:ContainerApps:SubscriptionId"] = "sub-1",
            ["Training:ContainerApps:ResourceGroup"] = "rg-1",
            ["Training:ContainerApps:JobName"] = "trainer-job",
        };
        using var services = new ServiceCollection().AddTrialRunners(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        var runner = services.GetRequiredService<ITrialRunner>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.StartAsync(TrialSpecs.Create() with { Algorithm = "torch_mlp" }, "https://x/spec.json", default));

        Assert.Equal("container-apps", runner.Kind);
        Assert.StartsWith("Training:Torch:JobName is not set", error.Message);
    }

    [Fact]
    public void Create_BothRunnersOfOneKind_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new TrialRunnerRouter(new RecordingRunner("process"), new RecordingRunner("process")));

    private sealed class RecordingRunner(string kind) : ITrialRunner
    {
        public string Kind => kind;

        public int Starts { get; private set; }

        public int Cancels { get; private set; }

        public Task<TrialExecution> StartAsync(TrialSpec spec, string specUri, CancellationToken cancellationToken)
        {
            Starts++;
            return Task.FromResult(new TrialExecution(kind, "e-" + Starts, spec.TrialId));
        }

        public Task<TrialExecutionStatus> GetStatusAsync(TrialExecution execution, CancellationToken cancellationToken) =>
            Task.FromResult(new TrialExecutionStatus(TrialState.Running, kind));

        public Task CancelAsync(TrialExecution execution, CancellationToken cancellationToken)
        {
            Cancels++;
            return Task.CompletedTask;
        }
    }
}
