using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Storage;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;
using Serverless.DeployTests.Support;

namespace Serverless.DeployTests;

/// <summary>
/// The trainer job is one the app's container-apps runner can start: a manual job on the chosen workload profile,
/// pulling by identity, whose template carries everything an execution needs besides what the runner adds.
/// </summary>
public sealed class TrainerJobTests
{
    [Theory]
    [InlineData(Deployment.TrainerJob, "Consumption")]
    [InlineData(Deployment.TorchJob, "Consumption-GPU-NC8as-T4")]
    public async Task Jobs_RunManually_TheBuiltInOnConsumptionTheTorchOnTheGpuProfile(string prefix, string profileType)
    {
        var deployment = await Deployment.GetAsync();
        var job = deployment.Job(prefix)["properties"]!;
        var environment = deployment.Single("Microsoft.App/managedEnvironments");
        var profiles = environment["properties"]!["workloadProfiles"]!.AsArray();

        Assert.Equal((string)environment["id"]!, (string)job["environmentId"]!);
        Assert.Equal(["Consumption", "Consumption-GPU-NC8as-T4"], profiles.Select(p => (string)p!["workloadProfileType"]!));
        var profile = profiles.Single(p => (string)p!["name"]! == (string)job["workloadProfileName"]!)!;
        Assert.Equal(profileType, (string)profile["workloadProfileType"]!);
        Assert.Equal("Manual", (string)job["configuration"]!["triggerType"]!);
        Assert.Equal(0, (int)job["configuration"]!["replicaRetryLimit"]!);
        Assert.Equal(1, (int)job["configuration"]!["manualTriggerConfig"]!["parallelism"]!);
        Assert.Equal("azure-monitor", (string)environment["properties"]!["appLogsConfiguration"]!["destination"]!);
    }

    [Theory]
    [InlineData(Deployment.TrainerJob)]
    [InlineData(Deployment.TorchJob)]
    public async Task Job_PullsFromTheRegistryWithTheTrainerIdentity(string prefix)
    {
        var deployment = await Deployment.GetAsync();
        var job = deployment.Job(prefix);
        var trainer = AppSettingsTests.Identity(deployment, "id-trainer-");
        var registry = (string)deployment.Single("Microsoft.ContainerRegistry/registries")["name"]!;

        var pull = job["properties"]!["configuration"]!["registries"]!.AsArray().Single()!;

        Assert.Equal($"{registry}.azurecr.io", (string)pull["server"]!);
        Assert.Equal(trainer, (string)pull["identity"]!);
        Assert.Equal([trainer], job["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));
    }

    [Theory]
    [InlineData(Deployment.TrainerJob, "lightgbm")]
    [InlineData(Deployment.TorchJob, "torch_mlp")]
    public async Task RunnerStart_WithDeployedSettings_SendsTheJobsTemplateWithTheTrialAdded(string prefix, string algorithm)
    {
        var deployment = await Deployment.GetAsync();
        var job = deployment.Job(prefix);
        using var provider = AppSettingsHost.Build(deployment.AppSettings());
        var arm = new FakeArm(new JsonObject { ["id"] = job["id"]!.DeepClone(), ["properties"] = job["properties"]!.DeepClone() });
        using var http = new HttpClient(arm);
        var training = provider.GetRequiredService<IOptions<TrainingOptions>>().Value;
        // As AddTrialRunners wires them: the built-in trainer's job, and the torch trainer's job on the same ARM coordinates.
        var runner = new TrialRunnerRouter(
            new ContainerAppsJobTrialRunner(http, new StaticToken(), Options.Create(training), NullLogger<ContainerAppsJobTrialRunner>.Instance),
            new ContainerAppsJobTrialRunner(http, new StaticToken(), training.Torch.JobOptions(training.ContainerApps), TrainingOptions.TorchContainerAppsRunner,
                NullLogger<ContainerAppsJobTrialRunner>.Instance));
        var storage = (string)deployment.Single("Microsoft.Storage/storageAccounts")["name"]!;
        var specUri = $"https://{storage}.blob.core.windows.net/sweeps/s-1/trials/t-1/spec.json";

        var execution = await runner.StartAsync(Spec("t-1") with { Algorithm = algorithm }, specUri, CancellationToken.None);

        Assert.Equal("exec-1", execution.ExecutionId);
        Assert.Equal($"https://management.azure.com{job["id"]}/start", arm.StartUrl!.GetLeftPart(UriPartial.Path));
        var sent = arm.StartBody!["containers"]!.AsArray().Single()!;
        var deployed = job["properties"]!["template"]!["containers"]!.AsArray().Single()!;
        Assert.Equal((string)deployed["name"]!, (string)sent["name"]!);
        Assert.Equal((string)deployed["image"]!, (string)sent["image"]!);
        Assert.Equal((int)deployed["resources"]!["cpu"]!, (int)sent["resources"]!["cpu"]!);
        Assert.Equal((string)deployed["resources"]!["memory"]!, (string)sent["resources"]!["memory"]!);
        var env = sent["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        Assert.Equal(specUri, env["TRIAL_SPEC_URI"]);
        Assert.Equal("t-1", env["TRIAL_ID"]);
        Assert.Superset(deployed["env"]!.AsArray().Select(e => (string)e!["name"]!).ToHashSet(), env.Keys.ToHashSet());
    }

    [Theory]
    [InlineData(Deployment.TrainerJob)]
    [InlineData(Deployment.TorchJob)]
    public async Task TrainerContainer_ReachesTheSweepsContainerWithItsIdentity(string prefix)
    {
        var deployment = await Deployment.GetAsync();
        var trainer = AppSettingsTests.Identity(deployment, "id-trainer-");
        var storage = (string)deployment.Single("Microsoft.Storage/storageAccounts")["name"]!;
        var env = deployment.Job(prefix)["properties"]!["template"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!);

        // Both trainers read the storage account as the app does (Serverless.Trainer.Program.CreateStorage, trainer-torch/trial_storage.py).
        var account = StorageAccount.FromConfiguration(AppSettingsHost.Configuration(env));

        Assert.False(account.IsDevelopmentStorage);
        Assert.Equal(new Uri($"https://{storage}.blob.core.windows.net/"), account.CreateBlobServiceClient().Uri);
        Assert.Equal(StandIns.ClientId(trainer), env["AzureWebJobsStorage__clientId"]);
        Assert.DoesNotContain("TRIAL_SPEC_URI", env.Keys);
    }

    private static TrialSpec Spec(string trialId) => new()
    {
        TrialId = trialId,
        SweepId = "s-1",
        TrainUri = "https://example/sweeps/s-1/data/train.csv",
        ValidationUri = "https://example/sweeps/s-1/data/validation.csv",
        Target = "churned",
        Task = "binary",
        Features = [new TrialFeature("tenure", TrialFeature.Numeric)],
        Algorithm = "lightgbm",
        OutputUri = "https://example/sweeps/s-1/trials/" + trialId,
    };

    /// <summary>ARM for one job: GET answers the job, POST /start records the body and names an execution.</summary>
    private sealed class FakeArm(JsonObject job) : HttpMessageHandler
    {
        public Uri? StartUrl { get; private set; }

        public JsonObject? StartBody { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                return Json(job);
            }

            StartUrl = request.RequestUri;
            StartBody = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!.AsObject();
            return Json(new JsonObject { ["name"] = "exec-1" });
        }

        private static HttpResponseMessage Json(JsonNode body) =>
            new(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    private sealed class StaticToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
