using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;

namespace Serverless.Core.Onnx;

/// <summary>
/// Checks that bytes are a model ONNX Runtime can load and reads its signature, without keeping a session.
/// Thread-safe. Throws <see cref="ServingException"/> (BadRequest) for anything ONNX Runtime refuses.
/// </summary>
public sealed class OnnxModelInspector
{
    /// <summary>Loads the model once (graph optimisations off, so it is quick) and returns its signature.</summary>
    public ModelSignature Inspect(byte[] modelBytes)
    {
        if (modelBytes.Length == 0)
        {
            throw ServingException.BadRequest("The request body is empty: send the ONNX model's bytes as the body.");
        }

        try
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
            using var session = new InferenceSession(modelBytes, options);
            return SignatureReader.Read(session);
        }
        catch (OnnxRuntimeException e)
        {
            throw ServingException.BadRequest($"The body is not a model ONNX Runtime can load: {e.Message}", e);
        }
    }
}
