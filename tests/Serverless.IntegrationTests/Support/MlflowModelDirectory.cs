using System.Net;
using System.Text;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// Logs a model directory as MLflow's client does with proxied artifacts: one PUT per file under the run's artifact root
/// (<c>api/2.0/mlflow-artifacts/artifacts/{experiment}/{run}/artifacts/{path}/{file}</c>).
/// </summary>
public static class MlflowModelDirectory
{
    /// <summary>An MLmodel file as mlflow.onnx.log_model writes it (onnx and python_function flavors).</summary>
    public static string OnnxMlmodel(string runId, string data = "model.onnx") => $"""
        artifact_path: model
        flavors:
          onnx:
            code: null
            data: {data}
            onnx_version: 1.15.0
            providers:
            - CUDAExecutionProvider
            - CPUExecutionProvider
          python_function:
            data: {data}
            env:
              conda: conda.yaml
              virtualenv: python_env.yaml
            loader_module: mlflow.onnx
            python_version: 3.11.5
        mlflow_version: 2.9.2
        model_uuid: 3f1c2a9e0b5d4c7e8f6a1b2c3d4e5f60
        run_id: {runId}
        utc_time_created: '2024-01-01 00:00:00.000000'
        """;

    /// <summary>An MLmodel of a model without the onnx flavor (mlflow.sklearn.log_model).</summary>
    public const string SklearnMlmodel = """
        artifact_path: model
        flavors:
          python_function:
            env:
              conda: conda.yaml
            loader_module: mlflow.sklearn
            model_path: model.pkl
          sklearn:
            code: null
            pickled_model: model.pkl
            serialization_format: cloudpickle
        mlflow_version: 2.9.2
        """;

    /// <summary>The run's artifact root under the proxied artifact API ({experiment}/{run}/artifacts), from its artifact_uri.</summary>
    public static string Root(string artifactUri) => artifactUri["mlflow-artifacts:/".Length..];

    /// <summary>PUTs each file under <c>{root}/{path}/</c>, asserting a 200 for each.</summary>
    public static async Task UploadAsync(HttpClient client, string root, string path, params (string Name, byte[] Bytes)[] files)
    {
        foreach (var (name, bytes) in files)
        {
            var answer = await client.PutBytesAsync($"2.0/mlflow-artifacts/artifacts/{root}/{path}/{name}", bytes);
            Assert.True(answer.Status == HttpStatusCode.OK, $"upload of {path}/{name}: {(int)answer.Status} {answer.Response.ReasonPhrase}");
        }
    }

    public static (string Name, byte[] Bytes) File(string name, string text) => (name, Encoding.UTF8.GetBytes(text));
}
