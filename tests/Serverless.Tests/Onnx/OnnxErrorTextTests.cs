using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;
using Serverless.TestModels;

namespace Serverless.Tests.Onnx;

/// <summary><see cref="OnnxErrorText"/> on messages ONNX Runtime really produces (provoked here), and on the shapes they take.</summary>
public sealed class OnnxErrorTextTests
{
    [Fact]
    public void Clean_InvalidDimensionsAtRun_KeepsTheWholeUsefulMessageOnOneLine()
    {
        var message = RunMessage(ReferenceModels.FixedShape(), ("x", new float[6], [2, 3]));

        Assert.Contains("\n", message);
        Assert.Equal(
            "Got invalid dimensions for input: x for the following indices index: 0 Got: 2 Expected: 1 index: 1 Got: 3 Expected: 4 " +
            "Please fix either the inputs/outputs or the model.",
            OnnxErrorText.Clean(message));
    }

    [Fact]
    public void Clean_KernelFailureWithSourceLocation_DropsTheLocationAndTheCppSignature()
    {
        var message = RunMessage(ReferenceModels.ReshapeModel(), ("x", new float[6], [1, 6]), ("shape", new long[] { 4, 4 }, [2]));

        var cleaned = OnnxErrorText.Clean(message);

        Assert.Contains("/onnxruntime_src/", message);
        Assert.DoesNotContain("onnxruntime_src", cleaned);
        Assert.DoesNotContain("reshape_helper.h", cleaned);
        Assert.DoesNotContain("ReshapeHelper(", cleaned);
        Assert.Contains("The input tensor cannot be reshaped to the requested shape. Input shape:{1,6}, requested shape:{4,4}", cleaned);
    }

    [Fact]
    public void Clean_ExternalDataRefusedByTheHardenedSession_HidesTheServersFolder()
    {
        using var options = new SessionOptionsFactory(Options.Create(new ServingOptions())).Create();
        var message = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(HostileModels.ExternalInitializer(), options)).Message;

        var cleaned = OnnxErrorText.Clean(message);

        Assert.Contains(OnnxSessionSafety.ExternalDataFolder, message);
        Assert.DoesNotContain(OnnxSessionSafety.ExternalDataFolder, cleaned);
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), cleaned);
        Assert.DoesNotContain("tensorprotoutils.cc", cleaned);
        Assert.Contains("External data path does not exist: \"<path>\"", cleaned);
    }

    [Fact]
    public void Clean_InitializationFailure_KeepsModelPathMustNotBeEmpty()
    {
        // With the file present and no hardening, ONNX Runtime 1.31 happens to fail later, in the constant folding of an initializer.
        var file = $"present-{Guid.NewGuid():N}.bin";
        File.WriteAllBytes(file, new byte[16]);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        string message;
        try
        {
            message = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(HostileModels.ExternalInitializer(file), options)).Message;
        }
        finally
        {
            File.Delete(file);
        }

        var cleaned = OnnxErrorText.Clean(message);

        Assert.Contains("initializer.cc:", message);
        Assert.Contains("model_path must not be empty", cleaned);
        Assert.DoesNotContain("initializer.cc", cleaned);
        Assert.DoesNotContain("Initializer::Initializer", cleaned);
        Assert.DoesNotContain("std::", cleaned);
        Assert.DoesNotContain("[ErrorCode", cleaned);
    }

    [Fact]
    public void Clean_GraphConstructorFailure_DropsTheNestedPrefixAndSignature()
    {
        using var options = new SessionOptionsFactory(Options.Create(new ServingOptions())).Create();
        var message = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(HostileModels.ExternalSparseInitializer(), options)).Message;

        var cleaned = OnnxErrorText.Clean(message);

        Assert.Contains("onnxruntime::Graph::Graph(", message);
        Assert.DoesNotContain("Graph::Graph", cleaned);
        Assert.DoesNotContain("[ONNXRuntimeError]", cleaned);
        Assert.DoesNotContain("/", cleaned.Replace("inputs/outputs", ""));
    }

    [Theory]
    [InlineData(@"Load model from C:\Users\svc\site\wwwroot\model.onnx failed", "Load model from <path> failed")]
    [InlineData("Load model from /home/site/wwwroot/model.onnx failed", "Load model from <path> failed")]
    [InlineData("ratio 1/2 of input/output kept", "ratio 1/2 of input/output kept")]
    [InlineData("  ", "(no detail)")]
    [InlineData(null, "(no detail)")]
    public void Clean_PathsAndEmptiness(string? message, string expected)
    {
        Assert.Equal(expected, OnnxErrorText.Clean(message));
    }

    [Fact]
    public void Clean_VeryLongMessage_IsCappedWithAnEllipsis()
    {
        var cleaned = OnnxErrorText.Clean(string.Join(' ', Enumerable.Repeat("word", 10_000)));

        Assert.True(cleaned.Length <= OnnxErrorText.MaxLength + 1, cleaned.Length.ToString());
        Assert.EndsWith("…", cleaned);
    }

    private static string RunMessage(byte[] model, params (string Name, Array Values, long[] Shape)[] inputs)
    {
        using var session = new InferenceSession(model, new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL });
        var values = inputs.Select(i => i.Values switch
        {
            float[] f => OrtValue.CreateTensorValueFromMemory(f, i.Shape),
            long[] l => OrtValue.CreateTensorValueFromMemory(l, i.Shape),
            _ => throw new ArgumentException("float[] or long[]"),
        }).ToList();
        try
        {
            using var runOptions = new RunOptions();
            var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(runOptions, inputs.Select(i => i.Name).ToList(), values, session.OutputNames));
            return error.Message;
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }
}
