using Serverless.DeployTests.Support;

namespace Serverless.DeployTests;

/// <summary>The Bicep CLI from NuGet builds, lints and snapshots bicep/main.bicep without a single diagnostic.</summary>
public sealed class BicepTests
{
    [Fact]
    public async Task Build_MainBicep_SucceedsWithoutDiagnostics()
    {
        var deployment = await Deployment.GetAsync();

        Assert.Equal(0, deployment.Build.ExitCode);
        Assert.Empty(deployment.Build.Diagnostics);
        Assert.Equal("subscriptionDeploymentTemplate.json#", deployment.Template["$schema"]!.GetValue<string>().Split('/')[^1]);
    }

    [Fact]
    public async Task Lint_MainBicepAndModules_NoWarnings()
    {
        var deployment = await Deployment.GetAsync();

        Assert.Equal(0, deployment.Lint.ExitCode);
        Assert.Empty(deployment.Lint.Diagnostics);
    }

    [Fact]
    public async Task Snapshot_WithAzdParameters_PredictsEveryResourceWithoutDiagnostics()
    {
        var deployment = await Deployment.GetAsync();

        Assert.Equal(0, deployment.Snapshot.ExitCode);
        Assert.Empty(deployment.SnapshotJson["diagnostics"]!.AsArray());
        string[] expected =
        [
            "Microsoft.Resources/resourceGroups", "Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.Storage/storageAccounts",
            "Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components", "Microsoft.ContainerRegistry/registries",
            "Microsoft.App/managedEnvironments", "Microsoft.App/jobs", "Microsoft.Web/serverfarms", "Microsoft.Web/sites",
            "Microsoft.Authorization/roleAssignments",
        ];
        Assert.All(expected, type => Assert.NotEmpty(deployment.OfType(type)));
    }

    [Fact]
    public async Task Lint_ModuleWithUnusedParameter_IsReported()
    {
        // The lint check above can fail: the repository's bicepconfig.json turns an unused parameter into an error.
        var folder = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            File.Copy(Path.Combine(RepositoryPaths.Bicep, "bicepconfig.json"), Path.Combine(folder.FullName, "bicepconfig.json"));
            var file = Path.Combine(folder.FullName, "unused.bicep");
            await File.WriteAllTextAsync(file, "param unused string\n");

            var lint = await BicepCli.RunAsync("lint", file);

            Assert.Contains(lint.Diagnostics, d => d.Contains("no-unused-params", StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
