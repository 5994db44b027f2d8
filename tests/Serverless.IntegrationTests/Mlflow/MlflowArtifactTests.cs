using System.Net;
using System.Net.Http.Headers;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>The proxied artifact API (mlflow-artifacts) as MLflow's HTTP artifact repository calls it.</summary>
[Collection(StackCollection.Name)]
public sealed class MlflowArtifactTests
{
    private readonly HttpClient _client;
    private readonly MlflowRest _mlflow;

    public MlflowArtifactTests(StackFixture stack)
    {
        _client = stack.Client;
        _mlflow = new MlflowRest(stack.Client);
    }

    [Fact]
    public async Task UploadDownloadList_UnderTheRunsArtifactUri_RoundTripsTheBytes()
    {
        var (root, runId) = await NewRunRootAsync();
        var bytes = new byte[5 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(bytes);

        var upload = await PutAsync($"{root}/model/model.onnx", bytes);
        Assert.True(upload.StatusCode == HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await PutAsync($"{root}/model/MLmodel", "flavors: {}\n"u8.ToArray())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync($"{root}/notes.txt", "hello"u8.ToArray())).StatusCode);

        var download = await _client.GetAsync($"2.0/mlflow-artifacts/artifacts/{root}/model/model.onnx");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());

        var top = await _mlflow.OkGetAsync("../mlflow-artifacts/artifacts", ("path", root));
        Assert.Equal(["model:dir", "notes.txt:5"], top.GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("path").GetString() + ":" + (f.GetProperty("is_dir").GetBoolean() ? "dir" : f.GetProperty("file_size").GetInt64().ToString())).Order());
        var model = await _mlflow.OkGetAsync("artifacts/list", ("run_id", runId), ("path", "model"));
        Assert.Equal($"mlflow-artifacts:/{root}", model.GetProperty("root_uri").GetString());
        Assert.Equal(["model/MLmodel", "model/model.onnx"], model.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).Order());

        var deleted = await _client.DeleteAsync($"2.0/mlflow-artifacts/artifacts/{root}/notes.txt");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        MlflowRest.AssertError(await _client.GetJsonAsync($"2.0/mlflow-artifacts/artifacts/{root}/notes.txt"), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Theory]
    [InlineData("elsewhere/file.txt", HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE")]
    [InlineData("0/0123456789abcdef0123456789abcdef/artifacts/file.txt", HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST")]
    [InlineData("0/x/artifacts/a%5Cb", HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE")]
    public async Task Upload_OutsideAnActiveRunsRoot_IsRefused(string path, HttpStatusCode status, string errorCode)
    {
        var answer = await _client.SendAsync(HttpMethod.Put, $"2.0/mlflow-artifacts/artifacts/{path}", new ByteArrayContent([1, 2, 3]));

        MlflowRest.AssertError(answer, status, errorCode);
    }

    [Fact]
    public async Task Upload_UnderAnotherExperimentsPrefix_IsRefused()
    {
        var (root, _) = await NewRunRootAsync();
        var moved = "0" + root[root.IndexOf('/', StringComparison.Ordinal)..];

        var answer = await _client.SendAsync(HttpMethod.Put, $"2.0/mlflow-artifacts/artifacts/{moved}/x.txt", new ByteArrayContent([1]));

        MlflowRest.AssertError(answer, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "does not keep its artifacts");
    }

    private async Task<(string Root, string RunId)> NewRunRootAsync()
    {
        var experiment = await _mlflow.CreateExperimentAsync("artifacts-" + Guid.NewGuid().ToString("N")[..8]);
        var info = (await _mlflow.CreateRunAsync(experiment)).GetProperty("info");
        return (info.GetProperty("artifact_uri").GetString()!["mlflow-artifacts:/".Length..], info.GetProperty("run_id").GetString()!);
    }

    private Task<HttpResponseMessage> PutAsync(string path, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return _client.PutAsync($"2.0/mlflow-artifacts/artifacts/{path}", content);
    }
}
