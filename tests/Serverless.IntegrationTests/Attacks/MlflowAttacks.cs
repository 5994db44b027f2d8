using System.Net;
using System.Text;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// MLflow's REST API under attack: oversized bodies and artifacts sent without a length, hostile artifact paths, searches
/// that ask for everything. Each is refused with a 4xx in MLflow's error shape (<c>error_code</c>, <c>message</c>), memory
/// stays bounded and nothing stored changes.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class MlflowAttacks
{
    private const long SmallGrowth = 32L * 1024 * 1024;
    private readonly AttackFixture _target;

    public MlflowAttacks(AttackFixture target)
    {
        _target = target;
    }

    [Fact]
    public async Task LogBatch_BodyOfUnknownLengthOverOneMegabyte_Is413()
    {
        var body = $$"""{"run_id": "{{_target.MlflowRunId}}", "tags": [{"key": "k", "value": "{{new string('x', 4 * 1024 * 1024)}}"}]}""";

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Post, "2.0/mlflow/runs/log-batch", Chunked(Encoding.UTF8.GetBytes(body))),
            HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);

        Assert.Equal("INVALID_PARAMETER_VALUE", answer.Json.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task ArtifactUpload_StreamedPastTheLimit_Is413AndNothingIsKept()
    {
        var bytes = new byte[16 * AttackFixture.MaxArtifactBytes];

        await Attack.RefusedAsync(_target,
            () => _target.Operator.SendAsync(HttpMethod.Put, $"2.0/mlflow-artifacts/artifacts/{_target.MlflowArtifactRoot}/huge.bin", Chunked(bytes)),
            HttpStatusCode.RequestEntityTooLarge, "MaxArtifactBytes", SmallGrowth);
    }

    [Theory]
    [InlineData("/a%5Cb")]
    [InlineData("/a%00b")]
    [InlineData("/%2E%2E/%2E%2E/other/run")]
    [InlineData("/..%2F..%2F..%2Fregistry")]
    public async Task ArtifactUpload_HostilePath_IsRefused(string suffix)
    {
        var answer = await _target.Operator.SendAsync(HttpMethod.Put, $"2.0/mlflow-artifacts/artifacts/{_target.MlflowArtifactRoot}{suffix}", new ByteArrayContent([1]));

        Assert.True(answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)answer.Status}: {answer.Body}");
        await Attack.RefusedAsync(_target,
            () => _target.Operator.SendAsync(HttpMethod.Put, $"2.0/mlflow-artifacts/artifacts/{_target.MlflowArtifactRoot}{suffix}", new ByteArrayContent([1])),
            answer.Status, null, SmallGrowth);
    }

    [Fact]
    public async Task ArtifactUpload_OverlongPath_Is400()
    {
        await Attack.RefusedAsync(_target,
            () => _target.Operator.SendAsync(HttpMethod.Put, $"2.0/mlflow-artifacts/artifacts/{_target.MlflowArtifactRoot}/{new string('p', 2000)}", new ByteArrayContent([1])),
            HttpStatusCode.BadRequest, "artifact path", SmallGrowth);
    }

    [Theory]
    [InlineData("""{"experiment_ids": ["1"], "max_results": 1000000000}""", "max_results")]
    [InlineData("""{"experiment_ids": ["1"], "filter": "metrics.a < 1 OR metrics.b < 2"}""", "OR")]
    [InlineData("""{"experiment_ids": ["../1"]}""", "experiment_ids")]
    public async Task SearchRuns_HostileRequests_Are400(string body, string names)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("2.0/mlflow/runs/search", body), HttpStatusCode.BadRequest, names, SmallGrowth);
    }

    [Fact]
    public async Task SearchRuns_ThousandsOfExperimentIds_Is400()
    {
        var body = "{\"experiment_ids\": [" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"{i}\"")) + "]}";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("2.0/mlflow/runs/search", body), HttpStatusCode.BadRequest, "experiment_ids", SmallGrowth);
    }

    [Fact]
    public async Task LogBatch_DeeplyNestedJson_Is400()
    {
        var body = "{\"run_id\": \"x\", \"metrics\": " + new string('[', 100_000) + new string(']', 100_000) + "}";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("2.0/mlflow/runs/log-batch", body), HttpStatusCode.BadRequest, "metrics", SmallGrowth);
    }

    [Fact]
    public async Task MlflowRoutes_RefuseTheClientKey()
    {
        var answer = await _target.Client.PostJsonAsync("2.0/mlflow/experiments/create", """{"name": "by-client"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
    }

    [Theory]
    [InlineData("max_results=1000000000", "max_results")]
    [InlineData("filter=name%20%3D%20%27a%27%20OR%20name%20%3D%20%27b%27", "OR")]
    [InlineData("view_type=EVERYTHING", "view_type")]
    [InlineData("page_token=%2E%2E%2F%2E%2E", "page token")]
    public async Task SearchExperimentsByGet_HostileQuery_Is400(string query, string names)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("2.0/mlflow/experiments/search?" + query), HttpStatusCode.BadRequest, names, SmallGrowth);
    }

    [Fact]
    public async Task SearchExperimentsByGet_HundredsOfOrderByEntries_Is400()
    {
        var query = string.Join("&", Enumerable.Range(0, 300).Select(_ => "order_by=name"));

        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("2.0/mlflow/experiments/search?" + query), HttpStatusCode.BadRequest, "order_by", SmallGrowth);
    }

    [Fact]
    public async Task UnknownMlflowEndpoint_LongPath_Is404EndpointNotFoundWithABoundedMessage()
    {
        var path = "2.0/mlflow/" + string.Join('/', Enumerable.Range(0, 400).Select(i => "segment" + i));

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync(path, "{}"),
            HttpStatusCode.NotFound, "No API found", SmallGrowth);

        Assert.Equal("ENDPOINT_NOT_FOUND", answer.Json.GetProperty("error_code").GetString());
        Assert.True(answer.Json.GetProperty("message").GetString()!.Length < 400, answer.Json.ToString());
    }

    [Fact]
    public async Task UnknownMlflowEndpoint_RefusesTheClientKeyAndNoKey()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _target.Client.GetJsonAsync("2.0/mlflow/no-such-endpoint")).Status);
        using var anonymous = new HttpClient { BaseAddress = _target.Client.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetJsonAsync("2.0/mlflow/no-such-endpoint")).Status);
    }

    [Theory]
    [InlineData("2.0/mlflow/experiments/delete", """{"experiment_id": "999999999"}""", HttpStatusCode.BadRequest, "sweeps")]
    [InlineData("2.0/mlflow/experiments/update", """{"experiment_id": "999999999", "new_name": "taken-over"}""", HttpStatusCode.BadRequest, "sweeps")]
    [InlineData("2.0/mlflow/experiments/set-experiment-tag", """{"experiment_id": "999999999", "key": "k", "value": "v"}""", HttpStatusCode.BadRequest, "sweeps")]
    [InlineData("2.0/mlflow/runs/create", """{"experiment_id": "999999999"}""", HttpStatusCode.BadRequest, "sweeps")]
    [InlineData("2.0/mlflow/experiments/create", """{"name": "Sweeps"}""", HttpStatusCode.BadRequest, "sweeps")]
    [InlineData("2.0/mlflow/runs/log-batch", """{"run_id": "sweep-20000101-000000-abcdef-t001", "tags": [{"key": "k", "value": "v"}]}""", HttpStatusCode.NotFound, "sweep-")]
    public async Task SweepsExperiment_WritesThroughMlflow_AreRefusedAndChangeNothing(string route, string body, HttpStatusCode expected, string names)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync(route, body), expected, names, SmallGrowth);
    }

    [Theory]
    [InlineData("999999999/sweep-20000101-000000-abcdef-t001/artifacts/model.onnx")]
    [InlineData("999999999/sweep-20000101-000000-abcdef/artifacts/model.onnx")]
    public async Task SweepsExperiment_ArtifactUploadToASweepRunThatIsNotThere_Is404AndStoresNothing(string path)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Put, "2.0/mlflow-artifacts/artifacts/" + path, new ByteArrayContent([1, 2, 3])),
            HttpStatusCode.NotFound, "not found", SmallGrowth);
    }

    [Theory]
    [InlineData("Bearer", AttackFixture.OperatorKey)]
    [InlineData("Bearer", AttackFixture.ClientKey)]
    [InlineData("Basic", "operator:" + AttackFixture.OperatorKey)]
    [InlineData(null, null)]
    public async Task MlflowRoutes_MlflowClientCredentialsOrNone_AreRefusedAsAzuresHostRefusesThem(string? scheme, string? credential)
    {
        using var mlflowClient = new HttpClient { BaseAddress = _target.Client.BaseAddress };
        if (scheme is not null)
        {
            var value = scheme == "Basic" ? Convert.ToBase64String(Encoding.UTF8.GetBytes(credential!)) : credential!;
            mlflowClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(scheme, value);
        }

        var answer = await Attack.RefusedAsync(_target, () => mlflowClient.PostJsonAsync("2.0/mlflow/experiments/create", """{"name": "by-mlflow-client"}"""),
            HttpStatusCode.Unauthorized, null, SmallGrowth);

        Assert.Null(answer.Body);
    }

    /// <summary>The bytes as a body of unknown length (chunked), so only what the server counts can refuse it.</summary>
    private static HttpContent Chunked(byte[] bytes)
    {
        var pipe = new System.IO.Pipelines.Pipe();
        _ = Task.Run(async () =>
        {
            try
            {
                await pipe.Writer.WriteAsync(bytes);
            }
            finally
            {
                await pipe.Writer.CompleteAsync();
            }
        });
        var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
