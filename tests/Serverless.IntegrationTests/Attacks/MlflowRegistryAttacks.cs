using System.Net;
using System.Text;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// MLflow's model-registry routes under attack: sources that climb out of a run's artifacts or name other storage, hostile and huge ONNX
/// files logged as a run's model, unknown runs, bad names, searches that ask for everything, the served production version deleted
/// through MLflow, and every route called with a client's key. Each is refused with a 4xx in MLflow's error shape, memory stays
/// bounded, the victim keeps serving and nothing stored changes.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class MlflowRegistryAttacks
{
    private const string Registered = "mlflow-attack";
    private readonly AttackFixture _target;

    public MlflowRegistryAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "registered-models/create" }, { "GET", "registered-models/get" }, { "GET", "registered-models/search" },
        { "PATCH", "registered-models/update" }, { "DELETE", "registered-models/delete" }, { "POST", "registered-models/set-tag" },
        { "DELETE", "registered-models/delete-tag" }, { "POST", "registered-models/get-latest-versions" }, { "POST", "registered-models/alias" },
        { "DELETE", "registered-models/alias" }, { "GET", "registered-models/alias" }, { "POST", "model-versions/create" }, { "GET", "model-versions/get" },
        { "GET", "model-versions/search" }, { "PATCH", "model-versions/update" }, { "DELETE", "model-versions/delete" }, { "POST", "model-versions/set-tag" },
        { "DELETE", "model-versions/delete-tag" }, { "GET", "model-versions/get-download-uri" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task RegistryRoute_WithTheClientKey_Is401(string method, string route)
    {
        await EnsureRegisteredAsync();
        await Attack.RefusedAsync(_target, () => _target.Client.SendAsync(new HttpMethod(method), $"2.0/mlflow/{route}?name={AttackFixture.Model}&version=1",
            method == "GET" ? null : Json($$"""{"name": "{{AttackFixture.Model}}", "version": "1", "alias": "production"}""")), HttpStatusCode.Unauthorized, null);
    }

    [Theory]
    [InlineData("runs:/{run}/../../../models/victim")]
    [InlineData("runs:/{run}/%2E%2E/%2E%2E/other")]
    [InlineData("runs:/{run}/..%2F..%2Fother")]
    [InlineData("runs:/{run}/a\\..\\..\\b")]
    [InlineData("runs:/../../{run}/model")]
    [InlineData("mlflow-artifacts:/{root}/../../../victim")]
    [InlineData("mlflow-artifacts:/../models/victim/1/model.onnx")]
    [InlineData("mlflow-artifacts:/seed/model")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("https://attacker.example/model.onnx")]
    [InlineData("models:/victim/1")]
    [InlineData("wasbs://models@account.blob.core.windows.net/victim/1/model.onnx")]
    public async Task CreateModelVersion_SourceOutsideARunsArtifacts_Is400(string source)
    {
        await EnsureRegisteredAsync();
        source = source.Replace("{run}", _target.MlflowRunId, StringComparison.Ordinal).Replace("{root}", _target.MlflowArtifactRoot, StringComparison.Ordinal);

        var answer = await Attack.RefusedAsync(_target, () => CreateVersionAsync(source), HttpStatusCode.BadRequest, "source");

        Assert.Equal("INVALID_PARAMETER_VALUE", answer.Json.GetProperty("error_code").GetString());
    }

    [Theory]
    [InlineData("runs:/0123456789abcdef0123456789abcdef/model")]
    [InlineData("mlflow-artifacts:/1/0123456789abcdef0123456789abcdef/artifacts/model")]
    public async Task CreateModelVersion_UnknownRun_Is404(string source)
    {
        await EnsureRegisteredAsync();

        var answer = await Attack.RefusedAsync(_target, () => CreateVersionAsync(source), HttpStatusCode.NotFound, "Run");

        Assert.Equal("RESOURCE_DOES_NOT_EXIST", answer.Json.GetProperty("error_code").GetString());
    }

    public static TheoryData<string> HostileModels => ["external-data", "bomb", "warmup", "not-onnx", "huge-mlmodel", "mlmodel-data-traversal"];

    [Theory]
    [MemberData(nameof(HostileModels))]
    public async Task CreateModelVersion_HostileModelInTheRunsArtifacts_Is400AndNothingIsRegistered(string kind)
    {
        await EnsureRegisteredAsync();
        var path = "hostile-" + kind;
        (string Name, byte[] Bytes)[] files = kind switch
        {
            "external-data" => [("model.onnx", TestModels.HostileModels.ExternalInitializer("../../../../../../etc/passwd"))],
            "bomb" => [("model.onnx", TestModels.HostileModels.ConstantOfShape([15_000, 15_000], copies: 5))],
            "warmup" => [("model.onnx", TestModels.HostileModels.FixedInput(60_000, 60_000))],
            "not-onnx" => [("model.onnx", Encoding.UTF8.GetBytes(new string('x', 100_000)))],
            "huge-mlmodel" => [("MLmodel", Encoding.UTF8.GetBytes("flavors:\n  onnx:\n    data: model.onnx\n#" + new string('x', 200_000))),
                ("model.onnx", ReferenceModels.LogisticRegression(features: 3))],
            _ => [("MLmodel", Encoding.UTF8.GetBytes("flavors:\n  onnx:\n    data: ../../../seed.txt\n")), ("model.onnx", ReferenceModels.LogisticRegression(features: 3))],
        };
        await MlflowModelDirectory.UploadAsync(_target.Operator, _target.MlflowArtifactRoot, path, files);

        var answer = await Attack.RefusedAsync(_target, () => CreateVersionAsync($"runs:/{_target.MlflowRunId}/{path}"), HttpStatusCode.BadRequest, null);

        Assert.Equal("INVALID_PARAMETER_VALUE", answer.Json.GetProperty("error_code").GetString());
    }

    [Theory]
    [InlineData("registered-models/create", """{"name": "../victim"}""", "name")]
    [InlineData("registered-models/create", """{"name": "a/b"}""", "name")]
    [InlineData("registered-models/create", """{"name": ""}""", "name")]
    [InlineData("registered-models/create", """{"name": "x\u0000y"}""", "name")]
    [InlineData("registered-models/create", """{"name": "ok-name", "tags": [{"key": "../k", "value": "v"}]}""", "tags.key")]
    [InlineData("registered-models/create", """{"name": "victim"}""", "already exists")]
    [InlineData("registered-models/alias", """{"name": "victim", "alias": "../production", "version": "1"}""", "alias")]
    [InlineData("registered-models/alias", """{"name": "victim", "alias": "production", "version": "../1"}""", "version")]
    [InlineData("model-versions/create", """{"name": "../victim", "source": "runs:/x/model"}""", "name")]
    [InlineData("model-versions/set-tag", """{"name": "victim", "version": "1", "key": "/etc/k", "value": "v"}""", "key")]
    public async Task Write_WithBadNames_Is400(string route, string body, string names)
    {
        await EnsureRegisteredAsync();

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"2.0/mlflow/{route}", body), HttpStatusCode.BadRequest, names);

        Assert.True(answer.Json.GetProperty("error_code").GetString() is "INVALID_PARAMETER_VALUE" or "RESOURCE_ALREADY_EXISTS", answer.Json.ToString());
    }

    [Theory]
    [InlineData("registered-models/search?max_results=1000000000", "max_results")]
    [InlineData("model-versions/search?max_results=1000000000", "max_results")]
    [InlineData("model-versions/search?filter=name%20%3D%20%27a%27%20OR%201%3D1", "OR")]
    [InlineData("registered-models/search?page_token=eyJvZmZzZXQiOiAtMX0%3D", "page token")]
    [InlineData("model-versions/get?name=victim&version=..%2F1", "version")]
    [InlineData("registered-models/alias?name=victim&alias=%00", "alias")]
    public async Task Read_HostileQueries_Are400(string query, string names)
    {
        await EnsureRegisteredAsync();

        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync($"2.0/mlflow/{query}"), HttpStatusCode.BadRequest, names);
    }

    [Fact]
    public async Task DeleteTheServedProductionVersionOrModel_ThroughMlflow_Is400AndItKeepsServing()
    {
        await EnsureRegisteredAsync();

        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Delete, "2.0/mlflow/model-versions/delete",
            Json($$"""{"name": "{{AttackFixture.Model}}", "version": "1"}""")), HttpStatusCode.BadRequest, "production");
        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Delete, "2.0/mlflow/registered-models/delete",
            Json($$"""{"name": "{{AttackFixture.Model}}"}""")), HttpStatusCode.BadRequest, "production");
    }

    [Fact]
    public async Task CreateModelVersion_BodyOverOneMegabyte_Is413()
    {
        await EnsureRegisteredAsync();
        var body = $$"""{"name": "{{Registered}}", "source": "runs:/{{_target.MlflowRunId}}/m", "description": "{{new string('d', 2 * 1024 * 1024)}}"}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("2.0/mlflow/model-versions/create", body), HttpStatusCode.RequestEntityTooLarge, null);
    }

    /// <summary>The registered model the attacks aim at, and the metadata table, exist before any attack (so creating them is no change an attack made).</summary>
    private async Task EnsureRegisteredAsync()
    {
        var answer = await _target.Operator.PostJsonAsync("2.0/mlflow/registered-models/create", $$"""{"name": "{{Registered}}"}""");
        Assert.True(answer.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest, answer.Json.ToString());
    }

    private Task<JsonAnswer> CreateVersionAsync(string source) =>
        _target.Operator.PostJsonAsync("2.0/mlflow/model-versions/create", System.Text.Json.JsonSerializer.Serialize(new { name = Registered, source }));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
