using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Storage;

namespace Serverless.Tests.Storage;

public sealed class DataStorageOptionsTests
{
    [Fact]
    public void Default_IsDataTrainingScores()
    {
        Assert.Equal(["data", "training", "scores"], Resolve(new()).Names);
    }

    [Fact]
    public void List_ReplacesTheDefaults()
    {
        var containers = Resolve(new() { ["Storage:DataContainers:0"] = "batch-input", ["Storage:DataContainers:1"] = "batch-output" });

        Assert.Equal(["batch-input", "batch-output"], containers.Names);
    }

    [Fact]
    public void CommaSeparatedValue_IsAListToo()
    {
        Assert.Equal(["inputs", "outputs"], Resolve(new() { ["Storage:DataContainers"] = " inputs, outputs ," }).Names);
    }

    [Theory]
    [InlineData("models", null)]
    [InlineData("reports", "Monitoring:ReportsContainer")]
    [InlineData("my-models", "Registry:ContainerName")]
    [InlineData("sweeps", null)]
    [InlineData("azure-webjobs-hosts", null)]
    [InlineData("azure-webjobs-anything", null)]
    [InlineData("testhubname-leases", null)]
    [InlineData("testhubname-largemessages", null)]
    [InlineData("testhubname-applease", null)]
    [InlineData("scm-releases", null)]
    public void AppContainer_FailsAtStartNamingTheSetting(string container, string? configuredBy)
    {
        var settings = new Dictionary<string, string?> { ["Storage:DataContainers"] = "data," + container, [AppStorageNames.TaskHubSetting] = "TestHubName" };
        if (configuredBy is not null)
        {
            settings[configuredBy] = container;
        }

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("Storage:DataContainers", failure);
        Assert.Contains($"'{container}'", failure);
        Assert.Contains("the app itself uses", failure);
    }

    [Theory]
    [InlineData("$web")]
    [InlineData("Data")]
    [InlineData("x")]
    [InlineData("no_underscores")]
    public void InvalidName_FailsAtStart(string container)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Storage:DataContainers"] = container }));

        Assert.Contains("not a valid container name", Assert.Single(error.Failures));
    }

    [Fact]
    public void TaskHub_FromHostJson_ReservesItsContainersLowerCased()
    {
        var hostJson = Path.Combine(Path.GetTempPath(), $"host-{Guid.NewGuid():N}.json");
        File.WriteAllText(hostJson, """{"version":"2.0","extensions":{"durableTask":{"hubName":"MyHub"}}}""");
        try
        {
            var names = AppStorageNames.FromConfiguration(new ConfigurationBuilder().Build(), hostJson);

            Assert.Equal("MyHub", names.TaskHubName);
            Assert.Contains("myhub-leases", names.Containers);
            Assert.Contains("myhub-largemessages", names.Containers);
            Assert.Contains("myhub-applease", names.Containers);
            Assert.True(names.IsAppContainer("myhub-anything"));
            Assert.Contains("MyHub", names.TablePrefixes);
        }
        finally
        {
            File.Delete(hostJson);
        }
    }

    [Fact]
    public void TaskHub_AppSettingOverridesHostJson()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [AppStorageNames.TaskHubSetting] = "%HubSetting%",
            ["HubSetting"] = "Prod",
        }).Build();

        Assert.Equal("Prod", AppStorageNames.TaskHubNameFrom(configuration, "/nonexistent/host.json"));
    }

    [Fact]
    public void TheAppsHostJson_NamesTheHubTheLocalRunnerUses()
    {
        var names = AppStorageNames.FromConfiguration(new ConfigurationBuilder().Build());

        Assert.Equal("ServerlessHub", names.TaskHubName);
        Assert.True(names.IsAppContainer("serverlesshub-leases"));
    }

    [Fact]
    public void AppStorageNames_ListsEveryContainerAndTableTheAppOwns()
    {
        var names = AppStorageNames.FromConfiguration(new ConfigurationBuilder().Build(), "/nonexistent/host.json");

        Assert.Equal(["models", "monitoring", "sweeps", "mlflow-artifacts", "featurehistory", "testhubname-leases", "testhubname-largemessages", "testhubname-applease",
            "azure-webjobs-hosts", "azure-webjobs-secrets", "scm-releases", "$logs", "$root", "$web"], names.Containers);
        Assert.Equal(["modelregistry", "monitoringreports", "sweeps", "trials", "mlflowexperiments", "mlflowruns", "mlflowmetrics", "mlflowregistry", "feedback", "retraining", "featuresets", "featuresonline"], names.Tables);
        Assert.Equal(["inferencelog", "TestHubName", "AzureFunctions"], names.TablePrefixes);
    }

    private static DataContainers Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddDataContainers(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<DataContainers>();
    }
}
