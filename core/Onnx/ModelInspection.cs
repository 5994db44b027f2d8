namespace Serverless.Core.Onnx;

/// <summary>
/// What registration learned from a model: its signature, the bytes its session takes once optimised as served
/// (weights after constant folding plus tensors its generator nodes allocate, and at least the model's own size)
/// and the input elements of its warm-up request (free dimensions counted as 1).
/// </summary>
public sealed record ModelInspection(ModelSignature Signature, long SessionBytes, long WarmupElements);
