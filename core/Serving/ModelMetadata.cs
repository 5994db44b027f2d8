using System.Text.Json.Serialization;
using Serverless.Core.Models;

namespace Serverless.Core.Serving;

/// <summary>The OIP v2 model metadata response.</summary>
public sealed record ModelMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<string> Versions,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("inputs")] IReadOnlyList<TensorSpec> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<TensorSpec> Outputs)
{
    public const string OnnxPlatform = "onnxruntime_onnx";

    /// <summary>The platform of an inference graph (<see cref="Graphs.GraphService"/>): its members run on ONNX Runtime in this process.</summary>
    public const string GraphPlatform = "inference_graph";
}
