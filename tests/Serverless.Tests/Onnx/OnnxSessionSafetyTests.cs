using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;
using Serverless.TestModels;

namespace Serverless.Tests.Onnx;

/// <summary>
/// The attack the scanner stops, tried against ONNX Runtime itself: a model whose initializer is "external data"
/// at a relative path reads that file of the host unless the session is hardened.
/// </summary>
public sealed class OnnxSessionSafetyTests : IDisposable
{
    private static readonly float[] Secret = [11f, 22f, 33f, 44f];
    private readonly string _fileName = $"hostile-secret-{Guid.NewGuid():N}.bin";

    public OnnxSessionSafetyTests()
    {
        File.WriteAllBytes(Path.Combine(Directory.GetCurrentDirectory(), _fileName), Secret.SelectMany(BitConverter.GetBytes).ToArray());
    }

    [Fact]
    public void PlainSession_ExternalInitializer_ReadsTheHostsFile()
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(HostileModels.ExternalInitializer(_fileName), options);

        Assert.Equal(Secret, RunZeros(session));
    }

    [Theory]
    [InlineData("relative")]
    [InlineData("dotdot")]
    public void ServingSession_ExternalInitializer_IsRefusedByOnnxRuntime(string kind)
    {
        var location = kind == "relative" ? _fileName : $"../{Path.GetFileName(Directory.GetCurrentDirectory())}/{_fileName}";
        using var options = new SessionOptionsFactory(Options.Create(new ServingOptions { GraphOptimizationLevel = GraphOptimization.None })).Create();

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(HostileModels.ExternalInitializer(location), options));

        Assert.Contains("External data path", error.Message);
    }

    [Fact]
    public void Harden_Twice_KeepsTheOneEmptyFolder()
    {
        using var options = OnnxSessionSafety.Harden(OnnxSessionSafety.Harden(new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL }));

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(HostileModels.ExternalInitializer(_fileName), options));

        Assert.Contains("External data path", error.Message);
        Assert.True(Directory.Exists(OnnxSessionSafety.ExternalDataFolder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(OnnxSessionSafety.ExternalDataFolder));
    }

    public void Dispose() => File.Delete(Path.Combine(Directory.GetCurrentDirectory(), _fileName));

    private static float[] RunZeros(InferenceSession session)
    {
        using var x = OrtValue.CreateTensorValueFromMemory(new float[4], [1, 4]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [x], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
