using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;

namespace Serverless.Tests.Training.Runners;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = Resolve(new() { ["Training:Process:TrainerPath"] = "/opt/trainer/Serverless.Trainer.dll" });

        Assert.Equal("process", options.Runner);
        Assert.Equal(TimeSpan.FromSeconds(2), options.PollInterval);
        Assert.Equal(TimeSpan.FromMinutes(60), options.TrialTimeout);
        Assert.Equal("dotnet", options.Process.DotnetPath);
        Assert.Equal(Environment.ProcessorCount, options.Process.MaxConcurrentTrials);
        Assert.Equal("trainer", options.ContainerApps.ContainerName);
        Assert.Equal("2024-03-01", options.ContainerApps.ApiVersion);
        Assert.Equal("https://management.azure.com", options.ContainerApps.ManagementEndpoint);
        Assert.Null(options.ContainerApps.Image);
        Assert.Equal((4, 200, 1440, 100L * 1024 * 1024),
            (options.MaxConcurrentSweeps, options.MaxTrialsPerSweep, options.MaxTrialTimeoutMinutes, options.MaxDatasetBytes));
    }

    [Fact]
    public void TrialTimeoutOverItsCeiling_FailsNamingBothSettings()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Training:Process:TrainerPath"] = "trainer", ["Training:TrialTimeoutMinutes"] = "120", ["Training:MaxTrialTimeoutMinutes"] = "60",
        }));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("Training:TrialTimeoutMinutes", failure);
        Assert.Contains("Training:MaxTrialTimeoutMinutes", failure);
    }

    [Theory]
    [InlineData("SubscriptionId")]
    [InlineData("ResourceGroup")]
    [InlineData("JobName")]
    public void ContainerApps_MissingJobCoordinate_FailsNamingTheSetting(string missing)
    {
        var settings = ContainerAppsSettings();
        settings.Remove("Training:ContainerApps:" + missing);

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("Training:ContainerApps:" + missing, failure);
    }

    [Fact]
    public async Task Process_NoTrainerPath_StartsTheAppButFailsATrialNamingTheSetting()
    {
        using var services = Build(new());
        Assert.Equal(TrainingOptions.ProcessRunner, services.GetRequiredService<IOptions<TrainingOptions>>().Value.Runner);

        var runner = services.GetRequiredService<ITrialRunner>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.StartAsync(TrialSpecs.Create(), "file:///tmp/spec.json", CancellationToken.None));

        Assert.Contains("Training:Process:TrainerPath", error.Message);
    }

    [Fact]
    public void UnknownRunner_FailsListingTheKnownOnes()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Training:Runner"] = "kubernetes" }));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("'kubernetes'", failure);
        Assert.Contains("process, container-apps", failure);
    }

    [Theory]
    [InlineData("Training:PollIntervalSeconds", "0")]
    [InlineData("Training:PollIntervalSeconds", "601")]
    [InlineData("Training:TrialTimeoutMinutes", "1441")]
    [InlineData("Training:Process:MaxConcurrentTrials", "0")]
    [InlineData("Training:MaxConcurrentSweeps", "0")]
    [InlineData("Training:MaxTrialsPerSweep", "0")]
    [InlineData("Training:MaxTrialsPerSweep", "10001")]
    [InlineData("Training:MaxDatasetBytes", "0")]
    [InlineData("Training:MaxTrialTimeoutMinutes", "0")]
    public void OutOfRangeNumbers_Fail(string key, string value)
    {
        var settings = new Dictionary<string, string?> { ["Training:Process:TrainerPath"] = "trainer", [key] = value };

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(key.Split(':').Last(), string.Join(" ", error.Failures));
    }

    [Fact]
    public void AddTrialRunners_ValidatesOnStart()
    {
        using var services = Build(new() { ["Training:Runner"] = "container-apps" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(3, error.Failures.Count());
    }

    [Fact]
    public void AddTrialRunners_ProcessRunner_IsTheDefault()
    {
        using var services = Build(new() { ["Training:Process:TrainerPath"] = "trainer" });

        var runner = services.GetRequiredService<ITrialRunner>();

        Assert.IsType<TrialRunnerRouter>(runner);
        Assert.Equal("process", runner.Kind);
        Assert.Same(runner, services.GetRequiredService<ITrialRunner>());
    }

    [Fact]
    public void AddTrialRunners_ContainerAppsRunner_WhenConfigured()
    {
        var settings = ContainerAppsSettings();
        settings["Training:Runner"] = "Container-Apps";
        settings["Training:ContainerApps:ManagedIdentityClientId"] = "00000000-0000-0000-0000-000000000001";
        using var services = Build(settings);

        var runner = services.GetRequiredService<ITrialRunner>();

        Assert.IsType<TrialRunnerRouter>(runner);
        Assert.Equal("container-apps", runner.Kind);
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(
            services.GetRequiredKeyedService<Azure.Core.TokenCredential>(TrainingServiceCollectionExtensions.ServiceKey));
    }

    private static Dictionary<string, string?> ContainerAppsSettings() => new()
    {
        ["Training:Runner"] = "container-apps",
        ["Training:ContainerApps:SubscriptionId"] = "sub-1",
        ["Training:ContainerApps:ResourceGroup"] = "rg-1",
        ["Training:ContainerApps:JobName"] = "trainer-job",
    };

    private static TrainingOptions Resolve(Dictionary<string, string?> settings)
    {
        using var services = Build(settings);
        return services.GetRequiredService<IOptions<TrainingOptions>>().Value;
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddTrialRunners(configuration).BuildServiceProvider();
    }
}
