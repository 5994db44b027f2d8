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

    /// <summary>The request's <c>parameters.binary_data_output</c>: every output as binary data unless it says otherwise.</summary>
    public bool BinaryDataOutput { get; internal set; }

    /// <summary>Each requested output's own <c>parameters.binary_data</c>, parallel to <see cref="RequestedOutputs"/>; null when none says.</summary>
    internal List<bool?>? RequestedOutputBinary { get; set; }

    /// <summary>Whether the output at <paramref name="index"/> of the outputs run (the requested ones, else the model's) is answered as binary data.</summary>
    public bool IsBinaryOutput(int index) =>
        RequestedOutputs is null || RequestedOutputBinary is null ? BinaryDataOutput : RequestedOutputBinary[index] ?? BinaryDataOutput;

    public void Dispose()
    {
        foreach (var value in InputValues)
        {
            value.Dispose();
        }

        InputValues.Clear();
    }
}
