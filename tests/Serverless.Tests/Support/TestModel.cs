using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;

namespace Serverless.Tests.Support;

/// <summary>A <see cref="LoadedModel"/> over generated ONNX bytes, with helpers to run infer requests through core.</summary>
internal sealed class TestModel : IDisposable
{
    public const string Name = "test-model";
    public const string VersionName = "7";

    private TestModel(LoadedModel model)
    {
        Model = model;
    }

    public LoadedModel Model { get; }

    public static TestModel Load(byte[] onnxBytes)
    {
        var session = new InferenceSession(onnxBytes);
        var signature = SignatureReader.Read(session);
        var version = new ModelVersion(Name, VersionName, "sha256-test", onnxBytes.Length, DateTimeOffset.UtcNow, null,
            signature.Inputs, signature.Outputs, $"{Name}/{VersionName}/model.onnx");
        return new TestModel(new LoadedModel(version, session, new ColdStartTimings(0, 0, 0, DateTimeOffset.UtcNow)));
    }

    /// <summary>Runs <paramref name="requestJson"/> through <see cref="InferenceService.Infer"/> and parses the response.</summary>
    public JsonElement Infer(string requestJson)
    {
        using var output = new PooledBufferWriter();
        InferenceService.Infer(Model, Encoding.UTF8.GetBytes(requestJson), output);
        using var document = JsonDocument.Parse(output.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Runs a body through the serving path with the given JSON header length (-1: all JSON) and splits the answer.</summary>
    public BinaryAnswer InferBinary(byte[] body, long headerLength)
    {
        using var output = new PooledBufferWriter();
        var responseHeader = InferenceService.Infer(Model, body, output, headerLength: headerLength);
        var jsonLength = responseHeader < 0 ? output.WrittenCount : responseHeader;
        using var document = JsonDocument.Parse(output.WrittenMemory[..jsonLength]);
        return new BinaryAnswer(document.RootElement.Clone(), output.WrittenSpan[jsonLength..].ToArray(), responseHeader);
    }

    /// <summary>As <see cref="InferBinary"/>, asserting the request is refused as a BadRequest.</summary>
    public ServingException InferBinaryBadRequest((byte[] Body, long HeaderLength) request)
    {
        var exception = Assert.Throws<ServingException>(() => InferBinary(request.Body, request.HeaderLength));
        Assert.Equal(ServingErrorKind.BadRequest, exception.Kind);
        return exception;
    }

    /// <summary>Asserts the request is refused as a BadRequest and returns the exception.</summary>
    public ServingException InferBadRequest(string requestJson)
    {
        var exception = Assert.Throws<ServingException>(() => Infer(requestJson));
        Assert.Equal(ServingErrorKind.BadRequest, exception.Kind);
        return exception;
    }

    public void Dispose() => Model.Evict();
}
