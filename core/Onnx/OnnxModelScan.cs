namespace Serverless.Core.Onnx;

/// <summary>
/// What <see cref="OnnxModelScanner"/> learned from a model's bytes without ONNX Runtime: the bytes its constant
/// tensors take once loaded (initializers, sparse initializers at their dense size, Constant-node values) and the
/// bytes its generator nodes (ConstantOfShape, Expand, Tile, Range) would allocate where their sizes come from
/// constants. All figures saturate at <see cref="long.MaxValue"/>.
/// </summary>
public sealed record OnnxModelScan(long InitializerBytes, long GeneratorBytes, string? LargestGenerator, long LargestGeneratorBytes)
{
    /// <summary>The memory the scan predicts: constants plus generated tensors.</summary>
    public long EstimatedBytes => SaturatingMath.Add(InitializerBytes, GeneratorBytes);
}
