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
