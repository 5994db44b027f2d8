namespace Serverless.Core.Models;

/// <summary>The kind of value a feature holds.</summary>
public enum FeatureType
{
    /// <summary>A finite number (FP32, FP64 or INT64 at the model's input).</summary>
    Numeric,

    /// <summary>A category, as text (BYTES at the model's input).</summary>
    Categorical,
}
