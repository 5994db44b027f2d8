using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>
/// MLflow's model-registry endpoints as its REST API documents them (registered models, model versions, aliases), driven as its client
/// sends them, over the app's own registry: versions are the app's versions, aliases the app's aliases.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class MlflowRegistryTests
{
    private readonly HttpClient _client;
    private readonly MlflowRest _mlflow;
    private readonly string _prefix = "reg-" + Guid.NewGuid().ToString("N")[..8];

    public MlflowRegistryTests(StackFixture stack)
    {
        _client = stack.Client;
        _mlflow = new MlflowRest(stack.Client);
    }

    [Fact]
    public async Task CreateRegisteredModel_GetUpdateTag_AnswerMlflowsShape_AndASecondCreateIsResourceAlreadyExists()
    {
        var name = _prefix + "-created";
        var created = (await _mlflow.OkAsync("registered-models/create",
            new { name, description = "first", tags = new[] { new { key = "team", value = "fraud" } } })).GetProperty("registered_model");
        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Equal("first", created.GetProperty("description").GetString());
        Assert.True(created.GetProperty("creation_timestamp").GetInt64() > 0);
        Assert.Empty(created.GetProperty("latest_versions").EnumerateArray());

        MlflowRest.AssertError(await _mlflow.PostAsync("registered-models/create", new { name }), HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS", name);

        var updated = await _mlflow.SendAsync(HttpMethod.Patch, "registered-models/update", new { name, description = "second" });
        Assert.Equal("second", updated.Json.GetProperty("registered_model").GetProperty("description").GetString());
        await _mlflow.OkAsync("registered-models/set-tag", new { name, key = "stage", value = "dev" });
        Assert.Equal(HttpStatusCode.OK, (await _mlflow.SendAsync(HttpMethod.Delete, "registered-models/delete-tag", new { name, key = "team" })).Status);

        var got = (await _mlflow.OkGetAsync("registered-models/get", ("name", name))).GetProperty("registered_model");
        Assert.Equal("second", got.GetProperty("description").GetString());
        Assert.Equal(["stage=dev"], got.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("key").GetString() + "=" + t.GetProperty("value").GetString()));
    }

    [Theory]
    [InlineData("registered-models/get", "name", "nobody-here", HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST")]
    [InlineData("registered-models/get", "name", "bad/name", HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE")]
    [InlineData("registered-models/get", "other", "x", HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE")]
    public async Task GetRegisteredModel_UnknownOrBadName_IsAnMlflowError(string endpoint, string field, string value, HttpStatusCode status, string code)
    {
        MlflowRest.AssertError(await _mlflow.GetAsync(endpoint, (field, value)), status, code);
    }

    [Fact]
    public async Task CreateModelVersion_FromRunsUriOfAnOnnxFlavorDirectory_IsAVersionOfTheAppsRegistry()
    {
        var (name, runId, root) = await NewModelAndRunAsync("flavor");
        var model = ReferenceModels.LogisticRegression(features: 3);
        await MlflowModelDirectory.UploadAsync(_client, root, "model", MlflowModelDirectory.File("MLmodel", MlflowModelDirectory.OnnxMlmodel(runId)), ("model.onnx", model));

        var version = await CreateVersionAsync(name, $"runs:/{runId}/model", runId);

        Assert.Equal("1", version.GetProperty("version").GetString());
        Assert.Equal("READY", version.GetProperty("status").GetString());
        Assert.Equal("None", version.GetProperty("current_stage").GetString());
        Assert.Equal($"runs:/{runId}/model", version.GetProperty("source").GetString());
        Assert.Equal(runId, version.GetProperty("run_id").GetString());
        var app = await _client.GetJsonAsync($"models/{name}/versions/1");
        Assert.Equal(HttpStatusCode.OK, app.Status);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(model)), app.Json.GetProperty("sha256").GetString());
        var uri = await _mlflow.OkGetAsync("model-versions/get-download-uri", ("name", name), ("version", "1"));
        Assert.Equal($"mlflow-artifacts:/{root}/model", uri.GetProperty("artifact_uri").GetString());
    }

    [Fact]
    public async Task CreateModelVersion_FromTheArtifactUriOfABareModelOnnx_TakesTheNextVersion()
    {
        var (name, runId, root) = await NewModelAndRunAsync("bare");
        await MlflowModelDirectory.UploadAsync(_client, root, "onnx", ("model.onnx", ReferenceModels.LogisticRegression(features: 3)));
        await MlflowModelDirectory.UploadAsync(_client, root, "other", ("clf.onnx", ReferenceModels.LogisticRegression(features: 4)));

        var first = await CreateVersionAsync(name, $"mlflow-artifacts:/{root}/onnx", runId);
        var second = await CreateVersionAsync(name, $"mlflow-artifacts:/{root}/other/clf.onnx", null);

        Assert.Equal("1", first.GetProperty("version").GetString());
        Assert.Equal("2", second.GetProperty("version").GetString());
        Assert.Equal(runId, second.GetProperty("run_id").GetString());
        var latest = await _mlflow.OkAsync("registered-models/get-latest-versions", new { name, stages = new[] { "None" } });
        Assert.Equal("2", Assert.Single(latest.GetProperty("model_versions").EnumerateArray()).GetProperty("version").GetString());
        Assert.Empty((await _mlflow.OkAsync("registered-models/get-latest-versions", new { name, stages = new[] { "Production" } })).GetProperty("model_versions").EnumerateArray());
    }

    [Theory]
    [InlineData("sklearn", "INVALID_PARAMETER_VALUE", HttpStatusCode.BadRequest, "onnx")]
    [InlineData("empty", "INVALID_PARAMETER_VALUE", HttpStatusCode.BadRequest, "No ONNX model")]
    [InlineData("s3", "INVALID_PARAMETER_VALUE", HttpStatusCode.BadRequest, "source")]
    [InlineData("traversal", "INVALID_PARAMETER_VALUE", HttpStatusCode.BadRequest, "source")]
    [InlineData("unknown-run", "RESOURCE_DOES_NOT_EXIST", HttpStatusCode.NotFound, null)]
    [InlineData("other-run", "INVALID_PARAMETER_VALUE", HttpStatusCode.BadRequest, "run_id")]
    [InlineData("not-onnx", "INVALID_PARAMETER_VALUE", HttpStatusCode.BadRequest, null)]
    public async Task CreateModelVersion_SourceWithoutAServableOnnxModel_IsRefusedAndNothingIsStored(string kind, string code, HttpStatusCode status, string? names)
    {
        var (name, runId, root) = await NewModelAndRunAsync(kind);
        await MlflowModelDirectory.UploadAsync(_client, root, "sk", MlflowModelDirectory.File("MLmodel", MlflowModelDirectory.SklearnMlmodel), ("model.pkl", [1, 2, 3]));
        await MlflowModelDirectory.UploadAsync(_client, root, "junk", ("model.onnx", "not an onnx model"u8.ToArray()));
        var source = kind switch
        {
            "sklearn" => $"runs:/{runId}/sk",
            "empty" => $"runs:/{runId}/nothing-here",
            "s3" => "s3://bucket/model",
            "traversal" => $"runs:/{runId}/../../{runId}/artifacts/sk",
            "unknown-run" => "runs:/0123456789abcdef0123456789abcdef/model",
            "other-run" => $"runs:/{runId}/sk",
            _ => $"runs:/{runId}/junk",
        };

        var answer = await _mlflow.PostAsync("model-versions/create",
            new { name, source, run_id = kind == "other-run" ? "0123456789abcdef0123456789abcdef" : runId });

        MlflowRest.AssertError(answer, status, code, names);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetJsonAsync($"models/{name}/versions")).Status);
        var model = (await _mlflow.OkGetAsync("registered-models/get", ("name", name))).GetProperty("registered_model");
        Assert.Empty(model.GetProperty("latest_versions").EnumerateArray());
    }

    [Fact]
    public async Task CreateModelVersion_UnknownRegisteredModel_IsResourceDoesNotExist()
    {
        MlflowRest.AssertError(await _mlflow.PostAsync("model-versions/create", new { name = _prefix + "-none", source = "runs:/0123456789abcdef0123456789abcdef/m" }),
            HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", "Registered Model");
    }

    [Fact]
    public async Task ModelVersion_GetUpdateTagsSearch_AsMlflowDocumentsThem()
    {
        var (name, runId, root) = await NewModelAndRunAsync("versions");
        await MlflowModelDirectory.UploadAsync(_client, root, "model", ("model.onnx", ReferenceModels.LogisticRegression(features: 3)));
        await CreateVersionAsync(name, $"runs:/{runId}/model", runId);
        await CreateVersionAsync(name, $"runs:/{runId}/model", runId);

        var updated = await _mlflow.SendAsync(HttpMethod.Patch, "model-versions/update", new { name, version = "1", description = "the first" });
        Assert.Equal("the first", updated.Json.GetProperty("model_version").GetProperty("description").GetString());
        await _mlflow.OkAsync("model-versions/set-tag", new { name, version = "1", key = "validated", value = "yes" });
        await _mlflow.OkAsync("model-versions/set-tag", new { name, version = "1", key = "gone", value = "soon" });
        Assert.Equal(HttpStatusCode.OK, (await _mlflow.SendAsync(HttpMethod.Delete, "model-versions/delete-tag", new { name, version = "1", key = "gone" })).Status);

        var got = (await _mlflow.OkGetAsync("model-versions/get", ("name", name), ("version", "1"))).GetProperty("model_version");
        Assert.Equal("the first", got.GetProperty("description").GetString());
        Assert.Equal(["validated"], got.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("key").GetString()));
        MlflowRest.AssertError(await _mlflow.GetAsync("model-versions/get", ("name", name), ("version", "9")), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", "version=9");

        var byName = await _mlflow.OkGetAsync("model-versions/search", ("filter", $"name = '{name}'"));
        Assert.Equal(["2", "1"], byName.GetProperty("model_versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        var byRun = await _mlflow.OkGetAsync("model-versions/search", ("filter", $"run_id = '{runId}'"), ("order_by", "version_number ASC"), ("max_results", "1"));
        Assert.Equal("1", Assert.Single(byRun.GetProperty("model_versions").EnumerateArray()).GetProperty("version").GetString());
        var next = await _mlflow.OkGetAsync("model-versions/search", ("filter", $"run_id = '{runId}'"), ("order_by", "version_number ASC"), ("max_results", "1"),
            ("page_token", byRun.GetProperty("next_page_token").GetString()!));
        Assert.Equal("2", Assert.Single(next.GetProperty("model_versions").EnumerateArray()).GetProperty("version").GetString());
        Assert.False(next.TryGetProperty("next_page_token", out _));
        MlflowRest.AssertError(await _mlflow.GetAsync("model-versions/search", ("filter", "name = 'a' OR name = 'b'")), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal(HttpStatusCode.OK, (await _mlflow.SendAsync(HttpMethod.Delete, "model-versions/delete", new { name, version = "2" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetJsonAsync($"models/{name}/versions/2")).Status);
    }

    [Fact]
    public async Task VersionRegisteredThroughTheAppsApi_AppearsInMlflowWithoutASource_AndMlflowsNextVersionFollowsIt()
    {
        var name = _prefix + "-app";
        Assert.Equal(HttpStatusCode.Created, (await _client.PutBytesAsync($"models/{name}/versions/3?description=by-app", ReferenceModels.LogisticRegression(features: 3))).Status);

        var version = (await _mlflow.OkGetAsync("model-versions/get", ("name", name), ("version", "3"))).GetProperty("model_version");
        Assert.Equal("by-app", version.GetProperty("description").GetString());
        Assert.False(version.TryGetProperty("source", out _));
        MlflowRest.AssertError(await _mlflow.GetAsync("model-versions/get-download-uri", ("name", name), ("version", "3")), HttpStatusCode.BadRequest,
            "INVALID_PARAMETER_VALUE", "app's own API");
        MlflowRest.AssertError(await _mlflow.PostAsync("registered-models/create", new { name }), HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
        await _mlflow.OkAsync("model-versions/set-tag", new { name, version = "3", key = "reviewed", value = "yes" });
        Assert.Equal("by-app", (await _mlflow.OkGetAsync("model-versions/get", ("name", name), ("version", "3"))).GetProperty("model_version")
            .GetProperty("description").GetString());

        var experiment = await _mlflow.CreateExperimentAsync(name);
        var info = (await _mlflow.CreateRunAsync(experiment)).GetProperty("info");
        var runId = info.GetProperty("run_id").GetString()!;
        await MlflowModelDirectory.UploadAsync(_client, MlflowModelDirectory.Root(info.GetProperty("artifact_uri").GetString()!), "model",
            ("model.onnx", ReferenceModels.LogisticRegression(features: 3, seed: 5)));
        Assert.Equal("4", (await CreateVersionAsync(name, $"runs:/{runId}/model", runId)).GetProperty("version").GetString());
    }

    [Fact]
    public async Task SearchRegisteredModels_FilterOrderAndPages_FindMlflowsAndTheAppsModels()
    {
        await _mlflow.OkAsync("registered-models/create", new { name = _prefix + "-b" });
        await _mlflow.OkAsync("registered-models/create", new { name = _prefix + "-a", tags = new[] { new { key = "k", value = "v" } } });
        Assert.Equal(HttpStatusCode.Created, (await _client.PutBytesAsync($"models/{_prefix}-c/versions/7", ReferenceModels.LogisticRegression(features: 3))).Status);

        var all = await _mlflow.OkGetAsync("registered-models/search", ("filter", $"name LIKE '{_prefix}-%'"));
        Assert.Equal([_prefix + "-a", _prefix + "-b", _prefix + "-c"], Names(all));
        var app = Assert.Single(all.GetProperty("registered_models").EnumerateArray(), m => m.GetProperty("name").GetString() == _prefix + "-c");
        Assert.Equal("7", Assert.Single(app.GetProperty("latest_versions").EnumerateArray()).GetProperty("version").GetString());

        var page1 = await _mlflow.OkGetAsync("registered-models/search", ("filter", $"name LIKE '{_prefix}-%'"), ("order_by", "name DESC"), ("max_results", "2"));
        Assert.Equal([_prefix + "-c", _prefix + "-b"], Names(page1));
        var page2 = await _mlflow.OkGetAsync("registered-models/search", ("filter", $"name LIKE '{_prefix}-%'"), ("order_by", "name DESC"), ("max_results", "2"),
            ("page_token", page1.GetProperty("next_page_token").GetString()!));
        Assert.Equal([_prefix + "-a"], Names(page2));

        Assert.Equal([_prefix + "-a"], Names(await _mlflow.OkGetAsync("registered-models/search", ("filter", $"name = '{_prefix}-a'"))));
        Assert.Equal([_prefix + "-a"], Names(await _mlflow.OkGetAsync("registered-models/search", ("filter", $"name LIKE '{_prefix}%' AND tags.k = 'v'"))));
        MlflowRest.AssertError(await _mlflow.GetAsync("registered-models/search", ("max_results", "5000")), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "max_results");
        MlflowRest.AssertError(await _mlflow.GetAsync("registered-models/search", ("filter", "metrics.x > 1")), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Alias_IsTheAppsAlias_SetGetDelete_AndTheAppsRollbackShowsInMlflow()
    {
        var (name, runId, root) = await NewModelAndRunAsync("alias");
        await MlflowModelDirectory.UploadAsync(_client, root, "model", ("model.onnx", ReferenceModels.LogisticRegression(features: 3)));
        await CreateVersionAsync(name, $"runs:/{runId}/model", runId);
        await CreateVersionAsync(name, $"runs:/{runId}/model", runId);

        await _mlflow.OkAsync("registered-models/alias", new { name, alias = "production", version = "1" });
        await _mlflow.OkAsync("registered-models/alias", new { name, alias = "production", version = "2" });

        var byAlias = (await _mlflow.OkGetAsync("registered-models/alias", ("name", name), ("alias", "production"))).GetProperty("model_version");
        Assert.Equal("2", byAlias.GetProperty("version").GetString());
        Assert.Equal(["production"], byAlias.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("2", (await _client.GetJsonAsync($"models/{name}/aliases/production")).Json.GetProperty("version").GetString());
        var history = (await _client.GetJsonAsync($"models/{name}/aliases/production/history")).Json.GetProperty("moves");
        Assert.Equal(2, history.GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await _client.PostJsonAsync($"models/{name}/aliases/production/rollback", "{}")).Status);
        Assert.Equal("1", (await _mlflow.OkGetAsync("registered-models/alias", ("name", name), ("alias", "production"))).GetProperty("model_version").GetProperty("version").GetString());
        var model = (await _mlflow.OkGetAsync("registered-models/get", ("name", name))).GetProperty("registered_model");
        var alias = Assert.Single(model.GetProperty("aliases").EnumerateArray());
        Assert.Equal(("production", "1"), (alias.GetProperty("alias").GetString(), alias.GetProperty("version").GetString()));

        MlflowRest.AssertError(await _mlflow.SendAsync(HttpMethod.Delete, "model-versions/delete", new { name, version = "1" }), HttpStatusCode.BadRequest,
            "INVALID_PARAMETER_VALUE", "production");
        MlflowRest.AssertError(await _mlflow.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name }), HttpStatusCode.BadRequest,
            "INVALID_PARAMETER_VALUE", "production");
        MlflowRest.AssertError(await _mlflow.PostAsync("registered-models/alias", new { name, alias = "latest", version = "1" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "reserved");
        MlflowRest.AssertError(await _mlflow.PostAsync("registered-models/alias", new { name, alias = "v2", version = "1" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "reserved");
        MlflowRest.AssertError(await _mlflow.PostAsync("registered-models/alias", new { name, alias = "staging", version = "9" }), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal(HttpStatusCode.OK, (await _mlflow.SendAsync(HttpMethod.Delete, "registered-models/alias", new { name, alias = "production" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetJsonAsync($"models/{name}/aliases/production")).Status);
        MlflowRest.AssertError(await _mlflow.GetAsync("registered-models/alias", ("name", name), ("alias", "production")), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal(HttpStatusCode.OK, (await _mlflow.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetJsonAsync($"models/{name}/versions")).Status);
        MlflowRest.AssertError(await _mlflow.GetAsync("registered-models/get", ("name", name)), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    private async Task<(string Name, string RunId, string Root)> NewModelAndRunAsync(string suffix)
    {
        var name = $"{_prefix}-{suffix}";
        await _mlflow.OkAsync("registered-models/create", new { name });
        var experiment = await _mlflow.CreateExperimentAsync(name);
        var info = (await _mlflow.CreateRunAsync(experiment)).GetProperty("info");
        return (name, info.GetProperty("run_id").GetString()!, MlflowModelDirectory.Root(info.GetProperty("artifact_uri").GetString()!));
    }

    private async Task<JsonElement> CreateVersionAsync(string name, string source, string? runId) =>
        (await _mlflow.OkAsync("model-versions/create", new { name, source, run_id = runId })).GetProperty("model_version");

    private static IEnumerable<string?> Names(JsonElement page) =>
        page.TryGetProperty("registered_models", out var models) ? models.EnumerateArray().Select(m => m.GetProperty("name").GetString()) : [];
}
