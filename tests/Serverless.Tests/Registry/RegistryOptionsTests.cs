using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Errors;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.TestModels;

namespace Serverless.Tests.Registry;

public sealed class RegistryOptionsTests
{
    [Theory]
    [InlineData(100L * 1024 * 1024, true)]
    [InlineData((100L * 1024 * 1024) + 1, false)]
    [InlineData(0, false)]
    public void MaxModelBytes_IsAtMostAzureFunctionsRequestLimit(long value, bool valid)
    {
        var options = new RegistryOptions { MaxModelBytes = value };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }

    [Theory]
    [InlineData("models", true)]
    [InlineData("my-models-2", true)]
    [InlineData("Models", false)]
    [InlineData("models\n", false)]
    [InlineData("mo", false)]
    [InlineData("mo--dels", false)]
    [InlineData("models-", false)]
    public void ContainerName_FollowsAzuresContainerRules(string name, bool valid)
    {
        var options = new RegistryOptions { ContainerName = name };
        var results = new List<ValidationResult>();

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.All(results, r => Assert.StartsWith("ContainerName must be a valid container name: 3-63 lowercase letters", r.ErrorMessage));
    }

    [Theory]
    [InlineData("monitoring", true)]
    [InlineData("Monitoring", false)]
    [InlineData("monitoring\n", false)]
    public void MonitoringReportsContainer_FollowsAzuresContainerRules(string name, bool valid)
    {
        var options = new Serverless.Core.Monitoring.MonitoringOptions { ReportsContainer = name };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }

    [Fact]
    public void Defaults_AreValidWithAOneGibibyteSessionBudget()
    {
        var options = new RegistryOptions();

        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
        Assert.Equal(1L << 30, options.MaxSessionBytes);
    }

    [Fact]
    public void AddServedModelRegistry_InspectorUsesTheConfiguredBudgets()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Registry:MaxSessionBytes"] = "4096",
            ["Serving:MaxWarmupElements"] = "4",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddServedModelRegistry(configuration);
        using var provider = services.BuildServiceProvider();
        var inspector = provider.GetRequiredService<OnnxModelInspector>();

        var tooBig = Assert.Throws<ServingException>(() => inspector.Inspect(ReferenceModels.Mlp(inputs: 4, hidden1: 32, hidden2: 32)));
        var tooWide = Assert.Throws<ServingException>(() => inspector.Inspect(ReferenceModels.AddAndMultiply()));
        var fits = inspector.Inspect(ReferenceModels.FixedShape());

        Assert.Contains("Registry:MaxSessionBytes (4,096 bytes)", tooBig.Message);
        Assert.Contains("6 input elements", tooWide.Message);
        Assert.Contains("Serving:MaxWarmupElements (4)", tooWide.Message);
        Assert.Equal(4, fits.WarmupElements);
    }

    [Fact]
    public void AddModelRegistry_WithoutServingsInspector_FailsNamingWhereItIsWired()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddModelRegistry(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IModelRegistry>());

        Assert.Contains("AddServedModelRegistry", error.Message);
    }
}
