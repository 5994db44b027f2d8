namespace Serverless.Core.Models;

/// <summary>How a row's features reach the model's inputs.</summary>
public enum InputLayout
{
    /// <summary>One [N, F] FP32 or FP64 tensor, features in manifest order; every feature numeric.</summary>
    Tensor,

    /// <summary>One [N, 1] (or [N]) input per feature, named like the feature, as ML.NET and skl2onnx export.</summary>
    PerFeature,
}
