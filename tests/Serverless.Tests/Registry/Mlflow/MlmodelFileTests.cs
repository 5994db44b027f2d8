using Serverless.Core.Registry.Mlflow;

namespace Serverless.Tests.Registry.Mlflow;

public sealed class MlmodelFileTests
{
    [Fact]
    public void Read_AsMlflowOnnxLogModelWritesIt_FindsBothFlavorsAndTheOnnxData()
    {
        const string text = """
            artifact_path: model
            flavors:
              onnx:
                code: null
                data: model.onnx
                onnx_version: 1.15.0
                providers:
                - CPUExecutionProvider
              python_function:
                data: other.onnx
                loader_module: mlflow.onnx
            mlflow_version: 2.9.2
            run_id: abc
            """;

        var (flavors, data) = MlmodelFile.Read(text);

        Assert.Equal(["onnx", "python_function"], flavors);
        Assert.Equal("model.onnx", data);
    }

    [Fact]
    public void Read_QuotedDataCrlfAndComments_AreRead()
    {
        var (flavors, data) = MlmodelFile.Read("# written by hand\r\nflavors:\r\n  # the model\r\n  onnx:\r\n    data: 'weights/clf.onnx'\r\nsignature:\r\n  inputs: x\r\n");

        Assert.Equal(["onnx"], flavors);
        Assert.Equal("weights/clf.onnx", data);
    }

    [Theory]
    [InlineData("flavors:\n  sklearn:\n    pickled_model: model.pkl\n    data: model.onnx\n", "sklearn")]
    [InlineData("flavors: {}\n", "")]
    [InlineData("artifact_path: model\nonnx:\n  data: model.onnx\n", "")]
    public void Read_WithoutAnOnnxFlavor_HasNoOnnxData(string text, string expectedFlavors)
    {
        var (flavors, data) = MlmodelFile.Read(text);

        Assert.Equal(expectedFlavors, string.Join(",", flavors));
        Assert.Null(data);
    }

    [Fact]
    public void Read_OnnxFlavorWithoutData_HasNoData()
    {
        var (flavors, data) = MlmodelFile.Read("flavors:\n  onnx:\n    onnx_version: 1.15.0\n");

        Assert.Equal(["onnx"], flavors);
        Assert.Null(data);
    }
}
