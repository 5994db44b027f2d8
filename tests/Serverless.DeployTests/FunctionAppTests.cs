using System.Xml.Linq;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Serverless.DeployTests.Support;
using Serverless.Functions.Telemetry;

namespace Serverless.DeployTests;

/// <summary>The function app runs on Flex Consumption with the runtime the app targets and deploys by identity.</summary>
public sealed class FunctionAppTests
{
    [Fact]
    public async Task Plan_IsFlexConsumptionOnLinux()
    {
        var plan = (await Deployment.GetAsync()).Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string)plan["sku"]!["name"]!);
        Assert.Equal("FlexConsumption", (string)plan["sku"]!["tier"]!);
        Assert.True((bool)plan["properties"]!["reserved"]!);
    }

    [Fact]
    public async Task Runtime_IsDotnetIsolatedOnTheVersionTheAppTargets()
    {
        var site = (await Deployment.GetAsync()).Single("Microsoft.Web/sites");
        var targetFramework = XDocument.Load(RepositoryPaths.File("Directory.Build.props")).Descendants("TargetFramework").Single().Value;

        Assert.Equal("functionapp,linux", (string)site["kind"]!);
        Assert.Equal("dotnet-isolated", (string)site["properties"]!["functionAppConfig"]!["runtime"]!["name"]!);
        Assert.Equal(targetFramework["net".Length..], (string)site["properties"]!["functionAppConfig"]!["runtime"]!["version"]!);
    }

    [Fact]
    public async Task DeploymentPackage_ComesFromAContainerOfTheAccountReachedByTheAppIdentity()
    {
        var deployment = await Deployment.GetAsync();
        var site = deployment.Single("Microsoft.Web/sites");
        var appIdentity = AppSettingsTests.Identity(deployment, "id-app-");
        var storage = deployment.Single("Microsoft.Storage/storageAccounts");
        var packageStorage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        var container = ((string)packageStorage["value"]!).Split('/')[^1];

        Assert.Equal("blobContainer", (string)packageStorage["type"]!);
        Assert.Equal($"https://{storage["name"]}.blob.core.windows.net/{container}", (string)packageStorage["value"]!);
        Assert.Contains(deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"), c => ((string)c["name"]!).EndsWith("/" + container, StringComparison.Ordinal));
        Assert.Equal("UserAssignedIdentity", (string)packageStorage["authentication"]!["type"]!);
        Assert.Equal(appIdentity, (string)packageStorage["authentication"]!["userAssignedIdentityResourceId"]!);
        Assert.Equal([appIdentity], site["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Scale_DefaultsAreTheDocumentedOnes()
    {
        var scale = (await Deployment.GetAsync()).Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;

        Assert.Equal(2048, (int)scale["instanceMemoryMB"]!);
        Assert.Equal(100, (int)scale["maximumInstanceCount"]!);
        Assert.Empty(scale["alwaysReady"]!.AsArray());
        Assert.Equal(16, (int)scale["triggers"]!["http"]!["perInstanceConcurrency"]!);
    }

    [Fact]
    public async Task Telemetry_GoesToTheApplicationInsightsOfThisDeployment()
    {
        var deployment = await Deployment.GetAsync();
        var component = (string)deployment.Single("Microsoft.Insights/components")["id"]!;

        Assert.Equal((string)StandIns.Reference(component)["ConnectionString"]!, deployment.AppSettings()["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Equal((string)deployment.Single("Microsoft.OperationalInsights/workspaces")["id"]!,
            (string)deployment.Single("Microsoft.Insights/components")["properties"]!["WorkspaceResourceId"]!);
        // The worker wires its exporter from the same settings, with the app's identity.
        Assert.True(new ServiceCollection().AddFunctionTelemetry(AppSettingsHost.Configuration(deployment.AppSettings())));
        Assert.IsType<ManagedIdentityCredential>(
            TelemetryCredential.FromAuthenticationString(deployment.AppSettings()[TelemetryServiceCollectionExtensions.AuthenticationStringSetting]));
    }

    [Fact]
    public async Task Outputs_NameTheAppItsUrlAndHowToGetTheOperatorKey()
    {
        var deployment = await Deployment.GetAsync();
        var app = (string)deployment.Single("Microsoft.Web/sites")["name"]!;

        Assert.Equal(app, deployment.Output("SERVICE_API_NAME"));
        Assert.Equal($"https://{app}.azurewebsites.net", deployment.Output("SERVICE_API_URI"));
        Assert.Equal($"az functionapp keys list --resource-group rg-{Deployment.EnvironmentName} --name {app} --query masterKey --output tsv",
            deployment.Output("OPERATOR_KEY_COMMAND"));
        Assert.Equal("api", (string)deployment.Single("Microsoft.Web/sites")["tags"]!["azd-service-name"]!);
    }
}
