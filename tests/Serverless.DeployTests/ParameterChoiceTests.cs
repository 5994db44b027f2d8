using Serverless.DeployTests.Support;

namespace Serverless.DeployTests;

/// <summary>The template's parameters change what they say: CPU trials, instance memory, always-ready instances.</summary>
public sealed class ParameterChoiceTests
{
    [Fact]
    public async Task ConsumptionTrainerProfiles_NoGpuProfileAndBothJobsRunOnConsumption()
    {
        var deployment = await Deployment.GetCpuVariantAsync();
        var profiles = deployment.Single("Microsoft.App/managedEnvironments")["properties"]!["workloadProfiles"]!.AsArray();

        Assert.Equal(["Consumption"], profiles.Select(p => (string)p!["workloadProfileType"]!));
        foreach (var job in new[] { deployment.Job(Deployment.TrainerJob), deployment.Job(Deployment.TorchJob) }.Select(j => j["properties"]!))
        {
            var trainer = job["template"]!["containers"]![0]!;
            Assert.Equal("Consumption", (string)job["workloadProfileName"]!);
            Assert.Equal(4, (int)trainer["resources"]!["cpu"]!);
            Assert.Equal("8Gi", (string)trainer["resources"]!["memory"]!);
        }
    }

    [Fact]
    public async Task LargeInstancesWithWarmHttp_ScaleTheCacheAndKeepInstancesReady()
    {
        var deployment = await Deployment.GetCpuVariantAsync();
        var scale = deployment.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;
        var settings = deployment.AppSettings();

        Assert.Equal(4096, (int)scale["instanceMemoryMB"]!);
        var ready = Assert.Single(scale["alwaysReady"]!.AsArray())!;
        Assert.Equal("http", (string)ready["name"]!);
        Assert.Equal(2, (int)ready["instanceCount"]!);
        Assert.Equal(2L * 1024 * 1024 * 1024, long.Parse(settings["Serving__MaxLoadedBytes"]));
        Assert.Equal(1L * 1024 * 1024 * 1024, long.Parse(settings["Registry__MaxSessionBytes"]));
    }
}
