using System.Net;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Requests name blobs as <c>container/path</c>; only the data containers may be named. An attacker tries the
/// registry's own blobs, the host's keys, the task hub, traversal, URLs and odd characters, and a job that would
/// overwrite its own input.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class StoragePathAttacks
{
    private readonly AttackFixture _target;

    public StoragePathAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string> ForbiddenInputs => new()
    {
        { "models/victim/1/model.onnx", "'input'" },
        { "azure-webjobs-secrets/host.json", "'input'" },
        { "azure-webjobs-hosts/locks/x.csv", "'input'" },
        { "serverlesshub-largemessages/x.csv", "'input'" },
        { "monitoring/victim/latest.json", "'input'" },
        { "sweeps/s1/train.csv", "'input'" },
        { "data/../models/victim.csv", "'input'" },
        { "data/./attack/in.csv", "'input'" },
        { "data//attack/in.csv", "'input'" },
        { "data\\attack\\in.csv", "'input'" },
        { "https://attacker.example/data/in.csv", "'input'" },
        { "/data/attack/in.csv", "'input'" },
        { "data/attack/in\u0000.csv", "'input'" },
        { "data/attack/in\u007F.csv", "'input'" },
        { "data/attack/in.csv.", "'input'" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenInputs))]
    public async Task BatchScoring_InputOutsideTheDataContainers_Is400NamingTheField(string input, string errorNames)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["input"] = input, ["model"] = AttackFixture.Model, ["output"] = "scores/attack" });

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/batch-scoring", body), HttpStatusCode.BadRequest, errorNames);
    }

    [Theory]
    [InlineData("models/victim")]
    [InlineData("azure-webjobs-hosts")]
    [InlineData("data/../models")]
    public async Task BatchScoring_OutputOutsideTheDataContainers_Is400(string output)
    {
        var body = $$"""{"input": "data/{{AttackFixture.InputCsv}}", "model": "{{AttackFixture.Model}}", "output": "{{output}}"}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/batch-scoring", body), HttpStatusCode.BadRequest, "'output'");
    }

    [Fact]
    public async Task BatchScoring_OutputThatWouldOverwriteItsInput_Is400()
    {
        var body = $$"""{"input": "data/{{AttackFixture.InputCsv}}", "model": "{{AttackFixture.Model}}", "output": "data/attack"}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/batch-scoring", body), HttpStatusCode.BadRequest, "input");
    }

    [Fact]
    public async Task BatchScoring_OverlongPath_Is400()
    {
        var body = $$"""{"input": "data/{{new string('a', 2000)}}.csv", "model": "{{AttackFixture.Model}}", "output": "scores/attack"}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/batch-scoring", body), HttpStatusCode.BadRequest, "'input'");
    }

    [Theory]
    [InlineData("models/victim.csv")]
    [InlineData("azure-webjobs-secrets/x.csv")]
    [InlineData("training/../sweeps/x.csv")]
    public async Task TrainingSweep_DatasetOutsideTheDataContainers_Is400(string dataset)
    {
        var body = $$"""{"dataset": "{{dataset}}", "target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "sdca"}], "model_name": "attack-sweep"}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/training-sweeps", body), HttpStatusCode.BadRequest, "'dataset'");
    }

    [Theory]
    [InlineData("""{"version": "https://attacker.example/model.zip"}""", "'warm_start_from.version'")]
    [InlineData("""{"version": "../../sweeps/x/trials/t001"}""", "'warm_start_from.version'")]
    [InlineData("""{"version": "1", "model": "../victim"}""", "'warm_start_from.model'")]
    [InlineData("""{"version": ""}""", "'warm_start_from.version'")]
    [InlineData("""{"model_uri": "file:///etc/passwd", "version": "1"}""", "model_uri")]
    public async Task TrainingSweep_WarmStartFromAUriOrPath_Is400NamingTheField(string warmStart, string expected)
    {
        var body = $$"""{"dataset": "training/x.csv", "target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "lbfgs"}], "model_name": "attack-sweep", "warm_start_from": {{warmStart}}}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/training-sweeps", body), HttpStatusCode.BadRequest, expected);
    }

    [Fact]
    public async Task ForgedHostHeader_NeverReachesTheLocationHeader()
    {
        var answer = await _target.Operator.SendAsync(HttpMethod.Post, "orchestrations/batch-scoring",
            new StringContent($$"""{"input": "data/{{AttackFixture.InputCsv}}", "model": "{{AttackFixture.Model}}", "output": "scores/host-header"}""",
                System.Text.Encoding.UTF8, "application/json"),
            new Dictionary<string, string> { ["Host"] = "attacker.example", ["X-Forwarded-Host"] = "attacker.example" });

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        var location = answer.Response.Headers.Location!;
        Assert.False(location.IsAbsoluteUri, $"Location should be relative: {location}");
        Assert.StartsWith("/api/orchestrations/", location.OriginalString);
        Assert.DoesNotContain("attacker", answer.Json.GetProperty("status_uri").GetString());

        // The job writes its outputs; let it finish so later attacks see a settled store.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? status;
        do
        {
            await Task.Delay(200);
            status = (await _target.Operator.GetJsonAsync(location.OriginalString.Replace("/api/", "", StringComparison.Ordinal))).Json
                .GetProperty("runtime_status").GetString();
        }
        while (status is "Pending" or "Running" && DateTime.UtcNow < deadline);

        Assert.Equal("Completed", status);
        await _target.AssertServesNormallyAsync();
    }
}
