using System.Text;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Models;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Tests.Support;

namespace Serverless.Tests.Tabular;

/// <summary>A reference model loaded in-process together with its manifest bound to it.</summary>
internal sealed class TabularTestModel : IDisposable
{
    private TabularTestModel(TestModel model, TabularModel tabular)
    {
        Model = model;
        Tabular = tabular;
    }

    public TestModel Model { get; }

    public TabularModel Tabular { get; }

    public static TabularTestModel Load(byte[] onnx, string manifestJson)
    {
        var model = TestModel.Load(onnx);
        try
        {
            return new TabularTestModel(model, TabularModel.Bind(Manifest(manifestJson), model.Model.Version));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public static ModelManifest Manifest(string json) => ModelManifest.Parse(Encoding.UTF8.GetBytes(json));

    /// <summary>A batch filled from a records request body (throws as the HTTP path does).</summary>
    public FeatureBatch FromJson(string body)
    {
        var batch = Tabular.CreateBatch(capacity: 1);
        batch.AddRecordsJson(Encoding.UTF8.GetBytes(body));
        return batch;
    }

    public TabularPrediction[] Predict(string body) => Tabular.Predict(Model.Model, FromJson(body));

    /// <summary>The input tensors for a batch, as name → flat values (floats, doubles, longs or strings as objects).</summary>
    public Dictionary<string, object[]> InputsOf(FeatureBatch batch)
    {
        using var inputs = Tabular.ToInputs(batch);
        var result = new Dictionary<string, object[]>();
        for (var i = 0; i < inputs.Names.Count; i++)
        {
            var value = inputs.Values[i];
            var info = value.GetTensorTypeAndShape();
            result[inputs.Names[i] + " [" + string.Join(",", info.Shape) + "]"] = info.ElementDataType switch
            {
                TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray().Cast<object>().ToArray(),
                TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray().Cast<object>().ToArray(),
                TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray().Cast<object>().ToArray(),
                TensorElementType.String => value.GetStringTensorAsArray().Cast<object>().ToArray(),
                var other => throw new InvalidOperationException($"Unexpected element type {other}."),
            };
        }

        return result;
    }

    public void Dispose() => Model.Dispose();
}
