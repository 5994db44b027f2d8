using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Contract;

public sealed partial class ContractTests
{
    /// <summary>MLflow's model registry: a registered model, a version from a run's ONNX model directory and an alias through every route, with its errors.</summary>
    private async Task MlflowRegistryAsync()
    {
        const string api = "2.0/mlflow/";
        const string name = "contract-mlflow-model";
        var experiment = await new MlflowRest(Client).CreateExperimentAsync("contract-mlflow-registry");
        var registered = await _golden.CheckAsync("MlflowCreateRegisteredModel", Client, HttpMethod.Post, api + "registered-models/create",
            Golden.Json($$"""{"name": "{{name}}", "description": "a contract", "tags": [{"key": "team", "value": "contract"}]}"""));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        string runId;
        using (var created = JsonDocument.Parse(await (await Client.PostAsync(api + "runs/create",
            Golden.Json($$"""{"experiment_id": "{{experiment}}", "start_time": 1700000000000}"""))).Content.ReadAsStringAsync()))
        {
            runId = created.RootElement.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        }

        _golden.Replace(runId, "<run_id>");
        _golden.Replace($"mlflow-artifacts:/{experiment}/", "mlflow-artifacts:/<experiment_id>/");
        await MlflowModelDirectory.UploadAsync(Client, $"{experiment}/{runId}/artifacts", "model",
            MlflowModelDirectory.File("MLmodel", MlflowModelDirectory.OnnxMlmodel(runId)), ("model.onnx", ReferenceModels.LogisticRegression(features: 3)));
        await MlflowModelDirectory.UploadAsync(Client, $"{experiment}/{runId}/artifacts", "sk", MlflowModelDirectory.File("MLmodel", MlflowModelDirectory.SklearnMlmodel));

        await _golden.CheckAsync("MlflowCreateRegisteredModel.400", Client, HttpMethod.Post, api + "registered-models/create", Golden.Json($$"""{"name": "{{name}}"}"""));
        await _golden.CheckAsync("MlflowCreateModelVersion", Client, HttpMethod.Post, api + "model-versions/create",
            Golden.Json($$"""{"name": "{{name}}", "source": "runs:/{{runId}}/model", "run_id": "{{runId}}", "description": "first", "tags": [{"key": "k", "value": "v"}]}"""));
        await _golden.CheckAsync("MlflowCreateModelVersion.400", Client, HttpMethod.Post, api + "model-versions/create",
            Golden.Json($$"""{"name": "{{name}}", "source": "runs:/{{runId}}/sk"}"""));
        await _golden.CheckAsync("MlflowCreateModelVersion.404", Client, HttpMethod.Post, api + "model-versions/create",
            Golden.Json($$"""{"name": "{{name}}", "source": "runs:/0123456789abcdef0123456789abcdef/model"}"""));
        await _golden.GetAsync("MlflowGetModelVersion", Client, api + $"model-versions/get?name={name}&version=1");
        await _golden.GetAsync("MlflowGetModelVersion.404", Client, api + $"model-versions/get?name={name}&version=2");
        await _golden.CheckAsync("MlflowUpdateModelVersion", Client, HttpMethod.Patch, api + "model-versions/update",
            Golden.Json($$"""{"name": "{{name}}", "version": "1", "description": "updated"}"""));
        await _golden.CheckAsync("MlflowSetModelVersionTag", Client, HttpMethod.Post, api + "model-versions/set-tag",
            Golden.Json($$"""{"name": "{{name}}", "version": "1", "key": "validated", "value": "yes"}"""));
        await _golden.CheckAsync("MlflowDeleteModelVersionTag", Client, HttpMethod.Delete, api + "model-versions/delete-tag",
            Golden.Json($$"""{"name": "{{name}}", "version": "1", "key": "k"}"""));
        await _golden.GetAsync("MlflowSearchModelVersions", Client, api + $"model-versions/search?filter=name%3D%27{name}%27");
        await _golden.GetAsync("MlflowSearchModelVersions.400", Client, api + "model-versions/search?filter=params.x%3D%271%27");
        await _golden.GetAsync("MlflowGetModelVersionDownloadUri", Client, api + $"model-versions/get-download-uri?name={name}&version=1");

        await _golden.CheckAsync("MlflowSetRegisteredModelAlias", Client, HttpMethod.Post, api + "registered-models/alias",
            Golden.Json($$"""{"name": "{{name}}", "alias": "champion", "version": "1"}"""));
        await _golden.CheckAsync("MlflowSetRegisteredModelAlias.400", Client, HttpMethod.Post, api + "registered-models/alias",
            Golden.Json($$"""{"name": "{{name}}", "alias": "latest", "version": "1"}"""));
        await _golden.GetAsync("MlflowGetModelVersionByAlias", Client, api + $"registered-models/alias?name={name}&alias=champion");
        await _golden.GetAsync("MlflowGetModelVersionByAlias.404", Client, api + $"registered-models/alias?name={name}&alias=staging");
        await _golden.GetAsync("MlflowGetRegisteredModel", Client, api + $"registered-models/get?name={name}");
        await _golden.GetAsync("MlflowGetRegisteredModel.404", Client, api + "registered-models/get?name=contract-mlflow-none");
        await _golden.GetAsync("MlflowSearchRegisteredModels", Client, api + "registered-models/search?filter=name%20LIKE%20%27contract-mlflow%25%27&max_results=1");
        await _golden.CheckAsync("MlflowGetLatestVersions", Client, HttpMethod.Post, api + "registered-models/get-latest-versions",
            Golden.Json($$"""{"name": "{{name}}", "stages": ["None"]}"""));
        await _golden.CheckAsync("MlflowUpdateRegisteredModel", Client, HttpMethod.Patch, api + "registered-models/update",
            Golden.Json($$"""{"name": "{{name}}", "description": "updated"}"""));
        await _golden.CheckAsync("MlflowSetRegisteredModelTag", Client, HttpMethod.Post, api + "registered-models/set-tag",
            Golden.Json($$"""{"name": "{{name}}", "key": "stage", "value": "dev"}"""));
        await _golden.CheckAsync("MlflowDeleteRegisteredModelTag", Client, HttpMethod.Delete, api + "registered-models/delete-tag",
            Golden.Json($$"""{"name": "{{name}}", "key": "team"}"""));
        await _golden.CheckAsync("MlflowDeleteModelVersion.400", Client, HttpMethod.Delete, api + "model-versions/delete",
            Golden.Json($$"""{"name": "{{name}}", "version": "1"}"""));
        await _golden.CheckAsync("MlflowDeleteRegisteredModel.400", Client, HttpMethod.Delete, api + "registered-models/delete", Golden.Json($$"""{"name": "{{name}}"}"""));
        await _golden.CheckAsync("MlflowDeleteRegisteredModelAlias", Client, HttpMethod.Delete, api + "registered-models/alias",
            Golden.Json($$"""{"name": "{{name}}", "alias": "champion"}"""));
        await _golden.CheckAsync("MlflowDeleteModelVersion", Client, HttpMethod.Delete, api + "model-versions/delete", Golden.Json($$"""{"name": "{{name}}", "version": "1"}"""));
        await _golden.CheckAsync("MlflowDeleteRegisteredModel", Client, HttpMethod.Delete, api + "registered-models/delete", Golden.Json($$"""{"name": "{{name}}"}"""));
    }
}
