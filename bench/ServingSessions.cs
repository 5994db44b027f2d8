using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Buffers;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;

namespace Serverless.Bench;

/// <summary>
/// Sessions and loaded models built exactly as serving builds them: core's <see cref="SessionOptionsFactory"/>
/// over the default <see cref="ServingOptions"/> (1 intra-op thread, 1 inter-op thread, all graph optimisations).
/// </summary>
public static class ServingSessions
{
    private static readonly SessionOptionsFactory OptionsFactory = new(Options.Create(new ServingOptions()));

    public static InferenceSession CreateSession(BenchModel model)
    {
        using var options = OptionsFactory.Create();
        return new InferenceSession(model.Onnx, options);
    }

    /// <summary>A <see cref="LoadedModel"/> named and versioned as the runner registers it, so responses are byte-identical.</summary>
    public static LoadedModel CreateLoadedModel(BenchModel model)
    {
        var session = CreateSession(model);
        var signature = SignatureReader.Read(session);
        var version = new ModelVersion(model.Name, BenchModel.Version, Convert.ToHexStringLower(SHA256.HashData(model.Onnx)), model.Onnx.Length,
            DateTimeOffset.UtcNow, model.Description, signature.Inputs, signature.Outputs, $"{model.Name}/{BenchModel.Version}.onnx");
        return new LoadedModel(version, session, new ColdStartTimings(0, 0, 0, DateTimeOffset.UtcNow));
    }

    /// <summary>The response body serving writes for the model's bench request (what every HTTP response must equal).</summary>
    public static byte[] ExpectedResponse(LoadedModel model, BenchModel bench)
    {
        using var output = new PooledBufferWriter(Math.Max(1024, bench.Body.Length));
        InferenceService.Infer(model, bench.Body, output);
        return output.WrittenSpan.ToArray();
    }
}
