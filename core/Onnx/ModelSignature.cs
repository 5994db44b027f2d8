using Serverless.Core.Models;

namespace Serverless.Core.Onnx;

/// <summary>The inputs and outputs ONNX Runtime reads from a model.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);
