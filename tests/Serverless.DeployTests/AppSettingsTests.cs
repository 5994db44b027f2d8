using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Mirroring;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Core.Training.Runners;
using Serverless.DeployTests.Support;
using Serverless.Functions;

namespace Serverless.DeployTests;

/// <summary>The function app's settings as deployed pass the app's own start-up validation, and name every setting it needs.</summary>
public sealed partial class AppSettingsTests
{
    [Fact]
    public async Task DeployedSettings_AppStartupValidation_AcceptsThem()
    {
        var settings = (await Deployment.GetAsync()).AppSettings();
        using var provider = AppSettingsHost.Build(settings);

        // What the host runs before it starts: every ValidateOnStart registration.
        provider.GetRequiredService<IStartupValidator>().Validate();
        var optionsTypes = AppSettingsHost.OptionsTypes(settings);
        Assert.Superset(new HashSet<Type>
        {
            typeof(RegistryOptions), typeof(ServingOptions), typeof(InferenceLogOptions), typeof(MonitoringOptions), typeof(TrainingOptions),
            typeof(DataStorageOptions), typeof(MirrorOptions),
        }, optionsTypes.ToHashSet());
        Assert.All(optionsTypes, type => Assert.NotNull(AppSettingsHost.Value(provider, type)));
        Assert.NotNull(provider.GetRequiredService<StorageAccount>());
    }

    [Fact]
    public async Task DeployedSettings_WithoutTheJobName_FailStartupValidationNamingIt()
    {
        // The check above can fail: the same harness refuses settings the app would refuse.
        var settings = (await Deployment.GetAsync()).AppSettings().Where(s => s.Key != "Training__ContainerApps__JobName").ToDictionary();
        using var provider = AppSettingsHost.Build(settings);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Training:ContainerApps:JobName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployedSettings_TrainingRunner_IsTheContainerAppsJobOfThisDeployment()
    {
        var deployment = await Deployment.GetAsync();
        using var provider = AppSettingsHost.Build(deployment.AppSettings());

        var training = provider.GetRequiredService<IOptions<TrainingOptions>>().Value;
        var job = deployment.Job(Deployment.TrainerJob);
        var torchJob = deployment.Job(Deployment.TorchJob);
        var appIdentity = Identity(deployment, "id-app-");

        Assert.True(training.Uses(TrainingOptions.ContainerAppsRunner));
        Assert.Equal((string)job["id"]!,
            $"/subscriptions/{training.ContainerApps.SubscriptionId}/resourceGroups/{training.ContainerApps.ResourceGroup}/providers/Microsoft.App/jobs/{training.ContainerApps.JobName}");
        Assert.Equal((string)job["apiVersion"]!, training.ContainerApps.ApiVersion);
        Assert.Equal(StandIns.ClientId(appIdentity), training.ContainerApps.ManagedIdentityClientId);
        Assert.Equal("https://management.azure.com/", training.ContainerApps.ManagementEndpoint);
        // Torch trials run on the second job, through the same ARM coordinates.
        Assert.Equal((string)torchJob["id"]!,
            $"/subscriptions/{training.ContainerApps.SubscriptionId}/resourceGroups/{training.ContainerApps.ResourceGroup}/providers/Microsoft.App/jobs/{training.Torch.JobName}");
        Assert.Equal(training.ContainerApps.ContainerName, training.Torch.ContainerName);
        // A trial may run as long as a request may ask for; the jobs must not stop it first.
        Assert.All(new[] { job, torchJob }, j => Assert.True((int)j["properties"]!["configuration"]!["replicaTimeout"]! >= training.MaxTrialTimeoutMinutes * 60));
    }

    [Fact]
    public async Task DeployedSettings_BindingExpressionsOfEveryTrigger_AreSet()
    {
        var settings = (await Deployment.GetAsync()).AppSettings();
        var names = BindingSettingNames().ToList();

        Assert.Contains(MonitoringOptions.ScheduleSetting, names);
        Assert.Contains(MirrorOptions.QueueSetting, names);
        Assert.All(names, name => Assert.True(settings.ContainsKey(name), $"The trigger binding reads %{name}%, which the deployment does not set."));
    }

    [Fact]
    public async Task DeployedSettings_EverySettingOfTheLocalSample_IsDeployed()
    {
        var settings = (await Deployment.GetAsync()).AppSettings();
        var sample = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryPaths.File("local.settings.sample.json")))!["Values"]!.AsObject();
        // Locally only: the storage connection string (identity in Azure), the worker runtime (the Flex runtime
        // setting says it), and the process runner (trials run as Container Apps job executions in Azure).
        var localOnly = new Regex("^(AzureWebJobsStorage|FUNCTIONS_WORKER_RUNTIME|Training__Process__.*)$");

        var missing = sample.Select(p => p.Key).Where(k => !localOnly.IsMatch(k) && !settings.ContainsKey(k)).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public async Task DeployedSettings_HostStorage_IsIdentityBasedWithEveryServiceUri()
    {
        var deployment = await Deployment.GetAsync();
        var settings = deployment.AppSettings();
        var storage = (string)deployment.Single("Microsoft.Storage/storageAccounts")["name"]!;

        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(StandIns.ClientId(Identity(deployment, "id-app-")), settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal($"https://{storage}.blob.core.windows.net/", settings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Equal($"https://{storage}.queue.core.windows.net/", settings["AzureWebJobsStorage__queueServiceUri"]);
        Assert.Equal($"https://{storage}.table.core.windows.net/", settings["AzureWebJobsStorage__tableServiceUri"]);
    }

    [Fact]
    public async Task DeployedSettings_DataContainers_AreCreatedAndNoneIsTheAppsOwn()
    {
        var deployment = await Deployment.GetAsync();
        var settings = deployment.AppSettings();
        var containers = deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => ((string)c["name"]!).Split('/')[^1]).ToList();
        var app = AppStorageNames.FromConfiguration(AppSettingsHost.Configuration(settings), RepositoryPaths.File("host.json"));
        var data = settings["Storage__DataContainers"].Split(',');

        Assert.Superset(data.ToHashSet(), containers.ToHashSet());
        Assert.All(data, container => Assert.False(app.IsAppContainer(container), container));
        Assert.Contains(AppStorageNames.SweepsContainer, containers);
        // Every other container (the deployment package's, the sweeps) is one the app treats as its own.
        Assert.All(containers.Except(data), container => Assert.True(app.IsAppContainer(container), container));
    }

    [Fact]
    public async Task DeployedSettings_SessionCache_FitsTheInstanceMemory()
    {
        var deployment = await Deployment.GetAsync();
        var settings = deployment.AppSettings();
        var memoryMb = (long)deployment.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["instanceMemoryMB"]!;

        Assert.True(long.Parse(settings["Serving__MaxLoadedBytes"]) < memoryMb * 1024 * 1024);
        Assert.True(long.Parse(settings["Registry__MaxSessionBytes"]) <= long.Parse(settings["Serving__MaxLoadedBytes"]));
    }

    internal static string Identity(Deployment deployment, string namePrefix) =>
        (string)deployment.OfType("Microsoft.ManagedIdentity/userAssignedIdentities").Single(i => ((string)i["name"]!).StartsWith(namePrefix, StringComparison.Ordinal))["id"]!;

    /// <summary>Every %Name% in a string property of a trigger or binding attribute of the app's functions.</summary>
    private static IEnumerable<string> BindingSettingNames() =>
        typeof(FunctionAppServiceCollectionExtensions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetParameters())
            .SelectMany(p => p.GetCustomAttributes())
            .Where(a => a.GetType().Namespace?.StartsWith("Microsoft.Azure.Functions.Worker", StringComparison.Ordinal) == true)
            .SelectMany(a => a.GetType().GetProperties().Where(p => p.PropertyType == typeof(string)).Select(p => p.GetValue(a) as string))
            .SelectMany(value => BindingExpression().Matches(value ?? "").Select(m => m.Groups[1].Value))
            .Distinct();

    [GeneratedRegex("%([A-Za-z0-9_:]+)%")]
    private static partial Regex BindingExpression();
}
