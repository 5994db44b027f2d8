using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;

namespace Serverless.Tests.Training.Runners;

public sealed class ContainerAppsJobTrialRunnerTests
{
    private const string JobUrl = "https://management.azure.com/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.App/jobs/trainer-job";
    private const string ApiVersion = "?api-version=2024-03-01";
    private const string SpecUri = "https://account.blob.core.windows.net/sweeps/sweep-1/trial-1/spec.json";

    private const string Job = """
        {
          "id": "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.App/jobs/trainer-job",
          "name": "trainer-job",
          "properties": {
            "provisioningState": "Succeeded",
            "template": {
              "containers": [
                {
                  "name": "trainer",
                  "image": "myregistry.azurecr.io/trainer:1",
                  "command": ["dotnet", "Serverless.Trainer.dll"],
                  "env": [
                    { "name": "AzureWebJobsStorage__accountName", "value": "account" },
                    { "name": "SECRET", "secretRef": "the-secret" },
                    { "name": "TRIAL_ID", "value": "stale" }
                  ],
                  "resources": { "cpu": 2.0, "memory": "4Gi", "ephemeralStorage": "8Gi" }
                },
                { "name": "sidecar", "image": "sidecar:1" }
              ],
              "initContainers": [ { "name": "init", "image": "init:1", "args": ["--warm"] } ]
            }
          }
        }
        """;

    private const string Started = """
        { "id": "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.App/jobs/trainer-job/executions/trainer-job-abc123", "name": "trainer-job-abc123" }
        """;

    private readonly FakeArm _arm = new();
    private readonly FakeCredential _credential = new();
    private readonly List<TimeSpan> _delays = [];

    [Fact]
    public async Task StartAsync_ReadsTheJobThenPostsItsTemplateWithTheTrialVariables_ReturnsTheExecutionName()
    {
        _arm.Answer(HttpStatusCode.OK, Job).Answer(HttpStatusCode.Accepted, Started);

        var execution = await CreateRunner().StartAsync(TrialSpecs.Create(), SpecUri, default);

        Assert.Equal(new TrialExecution("container-apps", "trainer-job-abc123", "trial-1"), execution);
        Assert.Equal(2, _arm.Requests.Count);
        Assert.Equal(HttpMethod.Get, _arm.Requests[0].Method);
        Assert.Equal(JobUrl + ApiVersion, _arm.Requests[0].Url);
        var start = _arm.Requests[1];
        Assert.Equal(HttpMethod.Post, start.Method);
        Assert.Equal(JobUrl + "/start" + ApiVersion, start.Url);
        Assert.Equal("Bearer " + FakeCredential.Token, start.Authorization);
        Assert.Equal(["https://management.azure.com/.default", "https://management.azure.com/.default"], _credential.Scopes);

        var body = JsonNode.Parse(start.Body!)!;
        var trainer = body["containers"]![0]!;
        Assert.Equal("trainer", (string?)trainer["name"]);
        Assert.Equal("myregistry.azurecr.io/trainer:1", (string?)trainer["image"]);
        Assert.Equal("[\"dotnet\",\"Serverless.Trainer.dll\"]", trainer["command"]!.ToJsonString());
        var env = trainer["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        Assert.Equal(SpecUri, (string?)env["TRIAL_SPEC_URI"]["value"]);
        Assert.Equal("trial-1", (string?)env["TRIAL_ID"]["value"]);
        Assert.Equal("account", (string?)env["AzureWebJobsStorage__accountName"]["value"]);
        Assert.Equal("the-secret", (string?)env["SECRET"]["secretRef"]);
        Assert.Equal(4, env.Count);
        Assert.Equal("""{"cpu":2.0,"memory":"4Gi"}""", trainer["resources"]!.ToJsonString());

        var sidecar = body["containers"]![1]!;
        Assert.Equal("""{"name":"sidecar","image":"sidecar:1"}""", sidecar.ToJsonString());
        Assert.Equal("""[{"name":"init","image":"init:1","args":["--warm"]}]""", body["initContainers"]!.ToJsonString());
    }

    [Fact]
    public async Task StartAsync_WithAnImageConfigured_RunsThatImage()
    {
        _arm.Answer(HttpStatusCode.OK, Job).Answer(HttpStatusCode.OK, Started);

        await CreateRunner(o => o.Image = "myregistry.azurecr.io/trainer:2").StartAsync(TrialSpecs.Create(), SpecUri, default);

        var body = JsonNode.Parse(_arm.Requests[1].Body!)!;
        Assert.Equal("myregistry.azurecr.io/trainer:2", (string?)body["containers"]![0]!["image"]);
        Assert.Equal("sidecar:1", (string?)body["containers"]![1]!["image"]);
    }

    [Fact]
    public async Task StartAsync_JobShowsNoTemplate_SendsTheTrainerContainerAloneWithoutAnImage()
    {
        _arm.Answer(HttpStatusCode.OK, """{ "properties": {} }""").Answer(HttpStatusCode.OK, """{ "id": "/x/jobs/trainer-job/executions/trainer-job-e1" }""");

        var execution = await CreateRunner().StartAsync(TrialSpecs.Create(), SpecUri, default);

        Assert.Equal("trainer-job-e1", execution.ExecutionId);
        Assert.Equal(
            $$"""{"containers":[{"name":"trainer","env":[{"name":"TRIAL_SPEC_URI","value":"{{SpecUri}}"},{"name":"TRIAL_ID","value":"trial-1"}]}]}""",
            _arm.Requests[1].Body);
    }

    [Fact]
    public async Task StartAsync_NoContainerOfTheConfiguredName_ThrowsNamingTheJobsContainers()
    {
        _arm.Answer(HttpStatusCode.OK, Job);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => CreateRunner(o => o.ContainerName = "worker").StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.Contains("'worker'", error.Message);
        Assert.Contains("trainer, sidecar", error.Message);
        Assert.Contains("Training:ContainerApps:ContainerName", error.Message);
        Assert.Single(_arm.Requests);
    }

    [Theory]
    [InlineData("Running", TrialState.Running)]
    [InlineData("Processing", TrialState.Running)]
    [InlineData("Unknown", TrialState.Running)]
    [InlineData("SomethingNew", TrialState.Running)]
    [InlineData("Succeeded", TrialState.Succeeded)]
    [InlineData("Failed", TrialState.Failed)]
    [InlineData("Stopped", TrialState.Failed)]
    [InlineData("Degraded", TrialState.Failed)]
    public async Task GetStatusAsync_MapsTheExecutionsArmStatus(string armStatus, TrialState expected)
    {
        _arm.Answer(HttpStatusCode.OK, $$"""{ "name": "trainer-job-abc123", "properties": { "status": "{{armStatus}}" } }""");

        var status = await CreateRunner().GetStatusAsync(Execution(), default);

        Assert.Equal(expected, status.State);
        Assert.Equal(JobUrl + "/executions/trainer-job-abc123" + ApiVersion, _arm.Requests[0].Url);
        Assert.Equal(HttpMethod.Get, _arm.Requests[0].Method);
        if (expected == TrialState.Failed)
        {
            Assert.Contains(armStatus, status.Message);
            Assert.Contains("trainer-job-abc123", status.Message);
        }
    }

    [Fact]
    public async Task GetStatusAsync_ExecutionNotFound_IsAFailedTrial()
    {
        _arm.Answer(HttpStatusCode.NotFound, """{ "error": { "code": "ResourceNotFound", "message": "gone" } }""");

        var status = await CreateRunner().GetStatusAsync(Execution(), default);

        Assert.Equal(TrialState.Failed, status.State);
        Assert.Contains("not found", status.Message);
        Assert.Contains("trainer-job-abc123", status.Message);
    }

    [Fact]
    public async Task Requests_TooManyRequestsWithRetryAfterSeconds_WaitAsToldThenSucceed()
    {
        _arm.Answer(HttpStatusCode.TooManyRequests, null, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)))
            .Answer(HttpStatusCode.OK, """{ "properties": { "status": "Succeeded" } }""");

        var status = await CreateRunner().GetStatusAsync(Execution(), default);

        Assert.Equal(TrialState.Succeeded, status.State);
        Assert.Equal([TimeSpan.FromSeconds(7)], _delays);
        Assert.Equal(2, _arm.Requests.Count);
        Assert.Equal(2, _credential.Scopes.Count);
    }

    [Fact]
    public async Task Requests_RetryAfterAsADate_WaitUntilThenCappedAtAMinute()
    {
        var now = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _arm.Answer(HttpStatusCode.TooManyRequests, null, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(10)))
            .Answer(HttpStatusCode.ServiceUnavailable, null, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(600)))
            .Answer(HttpStatusCode.OK, """{ "properties": { "status": "Running" } }""");

        var status = await CreateRunner(clock: new FixedClock(now)).GetStatusAsync(Execution(), default);

        Assert.Equal(TrialState.Running, status.State);
        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)], _delays);
    }

    [Fact]
    public async Task Requests_ServerErrorsAndTransportErrors_BackOffExponentiallyThenSucceed()
    {
        _arm.Answer(HttpStatusCode.InternalServerError)
            .Fail(new HttpRequestException("connection reset"))
            .Answer(HttpStatusCode.BadGateway)
            .Answer(HttpStatusCode.OK, """{ "properties": { "status": "Succeeded" } }""");

        var status = await CreateRunner().GetStatusAsync(Execution(), default);

        Assert.Equal(TrialState.Succeeded, status.State);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], _delays);
    }

    [Fact]
    public async Task Requests_ServerErrorFiveTimes_GiveUpWithTheStatus()
    {
        for (var i = 0; i < 5; i++)
        {
            _arm.Answer(HttpStatusCode.InternalServerError, """{ "error": { "code": "InternalServerError", "message": "Something broke." } }""");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateRunner().GetStatusAsync(Execution(), default));

        Assert.Equal(5, _arm.Requests.Count);
        Assert.Equal(4, _delays.Count);
        Assert.Contains("500", error.Message);
        Assert.Contains("Something broke", error.Message);
        Assert.Contains("5 attempts", error.Message);
    }

    [Fact]
    public async Task StartAsync_Forbidden_ThrowsNamingArmsCodeAndMessageAndTheRoleToGrant()
    {
        _arm.Answer(HttpStatusCode.Forbidden, """
            { "error": { "code": "AuthorizationFailed", "message": "The client 'abc' does not have authorization to perform action 'Microsoft.App/jobs/read'." } }
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateRunner().StartAsync(TrialSpecs.Create(), SpecUri, default));

        Assert.Contains("403", error.Message);
        Assert.Contains("AuthorizationFailed", error.Message);
        Assert.Contains("does not have authorization to perform action 'Microsoft.App/jobs/read'", error.Message);
        Assert.Contains("Container Apps Jobs Operator", error.Message);
        Assert.Contains("/providers/Microsoft.App/jobs/trainer-job", error.Message);
        Assert.Equal(HttpStatusCode.Forbidden, Assert.IsType<HttpRequestException>(error.InnerException).StatusCode);
        Assert.Single(_arm.Requests);
        Assert.Empty(_delays);
    }

    [Fact]
    public async Task CancelAsync_PostsStop()
    {
        _arm.Answer(HttpStatusCode.Accepted);

        await CreateRunner().CancelAsync(Execution(), default);

        var stop = Assert.Single(_arm.Requests);
        Assert.Equal(HttpMethod.Post, stop.Method);
        Assert.Equal(JobUrl + "/executions/trainer-job-abc123/stop" + ApiVersion, stop.Url);
        Assert.Equal("Bearer " + FakeCredential.Token, stop.Authorization);
    }

    [Fact]
    public async Task CancelAsync_ExecutionNotFound_IsNoError()
    {
        _arm.Answer(HttpStatusCode.NotFound, """{ "error": { "code": "ResourceNotFound", "message": "gone" } }""");

        await CreateRunner().CancelAsync(Execution(), default);

        Assert.Single(_arm.Requests);
    }

    [Fact]
    public async Task CancelAsync_RefusedBecauseTheExecutionEnded_IsNoError()
    {
        _arm.Answer(HttpStatusCode.BadRequest, """{ "error": { "code": "JobExecutionNotRunning", "message": "Not running." } }""")
            .Answer(HttpStatusCode.OK, """{ "properties": { "status": "Succeeded" } }""");

        await CreateRunner().CancelAsync(Execution(), default);

        Assert.Equal(2, _arm.Requests.Count);
        Assert.Equal(HttpMethod.Get, _arm.Requests[1].Method);
    }

    [Fact]
    public async Task CancelAsync_RefusedWhileStillRunning_Throws()
    {
        _arm.Answer(HttpStatusCode.Conflict, """{ "error": { "code": "Conflict", "message": "Try later." } }""")
            .Answer(HttpStatusCode.OK, """{ "properties": { "status": "Running" } }""");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateRunner().CancelAsync(Execution(), default));

        Assert.Contains("409", error.Message);
        Assert.Contains("Try later", error.Message);
    }

    private static TrialExecution Execution() => new("container-apps", "trainer-job-abc123", "trial-1");

    private ContainerAppsJobTrialRunner CreateRunner(Action<ContainerAppsJobOptions>? configure = null, TimeProvider? clock = null)
    {
        var options = new TrainingOptions
        {
            Runner = TrainingOptions.ContainerAppsRunner,
            ContainerApps = new ContainerAppsJobOptions { SubscriptionId = "sub-1", ResourceGroup = "rg-1", JobName = "trainer-job" },
        };
        configure?.Invoke(options.ContainerApps);
        return new ContainerAppsJobTrialRunner(new HttpClient(_arm), _credential, Options.Create(options),
            NullLogger<ContainerAppsJobTrialRunner>.Instance, clock)
        {
            Delay = (delay, _) =>
            {
                _delays.Add(delay);
                return Task.CompletedTask;
            },
        };
    }
}
