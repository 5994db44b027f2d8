using Microsoft.ML.OnnxRuntime;

namespace Serverless.Core.Protocol;

/// <summary>
/// A parsed OIP infer request: input tensors already in native ONNX Runtime memory, in the order they appeared.
/// Owns its OrtValues; not thread-safe; dispose once.
/// </summary>
public sealed class InferRequest : IDisposable
{
    /// <summary>
    /// The longest <c>id</c> a request may carry, in characters; longer is refused, never truncated. The same bound as
    /// every request id a client gives (<c>RequestIds.MaxLength</c> in core/Monitoring/Logging).
    /// </summary>
    public const int MaxIdLength = 128;

    internal InferRequest()
    {
    }

    /// <summary>The request's <c>id</c>, echoed in the response; null when the client sent none.</summary>
    public string? Id { get; internal set; }

    public List<string> InputNames { get; } = new(4);

    public List<OrtValue> InputValues { get; } = new(4);

    /// <summary>The outputs the client asked for, or null for all of them.</summary>
    public List<string>? RequestedOutputs { get; internal set; }

    public void Dispose()
    {
        foreach (var value in InputValues)
        {
            value.Dispose();
        }

        InputValues.Clear();
    }
}
